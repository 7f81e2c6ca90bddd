package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deployment of docs/DEPLOYING.md, end to end: Debian's nginx with docs/nginx/attendance-api.conf in front of
 * two processes of the jar sharing one database and one Redis prefix. Proves the smoke test passes through nginx,
 * that the access log names the real client, and the rolling-restart promise: under load, restarting instance 1
 * and then instance 2 (SIGTERM, start, wait for health) costs the clients not one failed request and loses no
 * acknowledged create.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BehindNginxIT {
    private static final String API = "/api/v1/attendance";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15); // TimeoutStopSec of the systemd unit
    private static final int CLIENTS = 4;
    private static final Duration MIN_LOAD = Duration.ofSeconds(20);

    private static TestEnv env;

    @RegisterExtension
    static final BeforeAllCallback TEST_ENV = context -> env = TestEnv.get(context);

    private static String database;
    private static Path workDir;
    private static final List<JarInstance> instances = new ArrayList<>();
    private static NginxProcess nginx;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startNginxAndTwoInstances() throws Exception {
        NginxProcess.binary(); // fail at once, with the fix, when nginx is missing
        database = env.createDatabase();
        String keyPrefix = env.newKeyPrefix();
        workDir = Path.of("target", "behind-nginx-it");
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        // Migrate once before the instances start, as DEPLOYING.md says: two instances migrating at the same
        // moment would wait on Liquibase's lock.
        App.connectAndMigrate(env.config(database, keyPrefix).postgres()).close();

        Map<String, String> instanceEnv = Map.of(
                "CONFIG_FILE", Path.of("config.yaml").toAbsolutePath().toString(),
                "POSTGRES_DATABASE", database,
                "CACHE_KEY_PREFIX", keyPrefix,
                "SERVER_HOST", "127.0.0.1",
                "SERVER_TRUST_PROXY", "true");
        for (String name : List.of("instance1", "instance2")) {
            JarInstance instance = new JarInstance(name, freePort(), instanceEnv, workDir);
            instances.add(instance);
            instance.start();
        }
        for (JarInstance instance : instances) {
            instance.awaitHealthy(START_TIMEOUT);
        }
        nginx = new NginxProcess(workDir.resolve("nginx"), freePort());
        nginx.start(instances.get(0).port(), instances.get(1).port());
    }

    @AfterAll
    static void stopEverything() {
        if (nginx != null) {
            nginx.close();
        }
        for (JarInstance instance : instances) {
            instance.close();
        }
    }

    @Test
    @Order(1)
    void smokeTestPassesThroughNginx() throws Exception {
        Path smoke = Path.of("scripts/smoke.sh");
        if (Files.isRegularFile(smoke)) {
            Process p = new ProcessBuilder("bash", smoke.toString(), nginx.url("")).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "smoke.sh did not finish:\n" + output);
            assertEquals(0, p.exitValue(), "scripts/smoke.sh through nginx failed:\n" + output);
            System.out.println("BehindNginxIT: scripts/smoke.sh through nginx:\n" + output);
            return;
        }
        // Without scripts/smoke.sh on this branch: the same promise, route by route, in brief.
        String id = "smoke-" + System.nanoTime();
        expect(get(API + "/health"), 200, "{\"message\":\"" + HealthController.HEALTHY + "\"}\n");
        expect(post(API + "/create", createBody(id)), 200,
                "{\"message\":\"Successfully created the record for the employee id: $" + id + "\"}\n");
        expect(get(API + "/search?id=" + id), 200,
                "{\"id\":\"" + id + "\",\"name\":\"Ada\",\"status\":\"Present\",\"date\":\"Mon, 02 Jan 2023 00:00:00 GMT\"}\n");
        HttpResponse<String> all = get(API + "/search/all");
        assertEquals(200, all.statusCode());
        assertTrue(all.body().contains("\"id\":\"" + id + "\""), all.body());
        assertTrue(get(API + "/health/detail").body().contains("\"postgresql\":\"up\",\"redis\":\"up\""));
        assertTrue(get("/metrics").body().contains("flask_http_request_total"));
        assertEquals(200, get("/apidocs/").statusCode());
    }

    @Test
    @Order(2)
    void errorsAnsweredByNginxItselfAreJsonToo() throws Exception {
        // 1 MiB + 1: over client_max_body_size, so nginx answers without passing the body on.
        String tooLarge = "{\"id\":\"" + "x".repeat(1_048_577) + "\"}";
        HttpResponse<String> r = post(API + "/create", tooLarge);
        assertEquals(413, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.body().startsWith("{\"error\":\"Content Too Large\""), r.body());
    }

    @Test
    @Order(3)
    void accessLogNamesTheClientThatNginxSawNotNginx() throws Exception {
        // Connect to nginx from 127.0.0.2: the instance's socket peer is nginx (127.0.0.1), the client is not.
        String marker = API + "/health?client=" + System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", nginx.port()), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // A forged header: nginx must overwrite it, not pass it on.
            out.write(("GET " + marker + " HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.66\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
        }
        Pattern line = Pattern.compile("\"request\": \"GET " + Pattern.quote(marker) + " HTTP/1.1\".*\"remote_address\": \"([^\"]*)\"");
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            for (JarInstance instance : instances) {
                Matcher m = line.matcher(Files.readString(instance.stdout()));
                if (m.find()) {
                    assertEquals("127.0.0.2", m.group(1));
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no access log line for " + marker);
            Thread.sleep(50);
        }
    }

    @Test
    @Order(4)
    void rollingRestartUnderLoadFailsNoRequestAndLosesNoCreate() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger requests = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        Queue<String> created = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < CLIENTS; w++) {
            int worker = w;
            workers.add(clients.submit(() -> load(worker, running, requests, failures, created)));
        }
        List<String> restarts = new ArrayList<>();
        try {
            Thread.sleep(3000);
            for (JarInstance instance : instances) {
                restarts.add(restart(instance));
                Thread.sleep(2000);
            }
            long remaining = MIN_LOAD.toMillis() - Duration.ofNanos(System.nanoTime() - start).toMillis();
            Thread.sleep(Math.max(1000, remaining));
        } finally {
            running.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS), "load clients did not stop");
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        String summary = requests.get() + " requests in " + seconds + " s, " + created.size() + " creates; " + restarts;
        System.out.println("BehindNginxIT: " + summary);

        List<String> failed = new ArrayList<>(failures);
        assertTrue(failed.isEmpty(), failed.size() + " failed requests (" + summary + "), first ones:\n"
                + String.join("\n", failed.subList(0, Math.min(20, failed.size())))
                + "\nnginx error log:\n" + JarInstance.tail(nginx.errorLog()));
        assertTrue(requests.get() > 300, "too little load to prove anything: " + summary);

        Set<String> missing = new HashSet<>(created);
        missing.removeAll(idsInTable());
        assertEquals(Set.of(), missing, "creates answered 200 but not in the table");

        // Both restarted processes took creates again: nginx went back to them.
        for (JarInstance instance : instances) {
            assertTrue(Files.readString(instance.stdout()).contains("\"POST " + API + "/create HTTP/1.1\""),
                    instance.name() + " got no create after its restart");
        }
    }

    /** SIGTERM, wait for the exit, start again, wait until healthy: one step of a rolling deploy. */
    private static String restart(JarInstance instance) throws Exception {
        long t0 = System.nanoTime();
        Path oldStderr = instance.stderr();
        int exit = instance.terminate(STOP_TIMEOUT);
        long stopped = System.nanoTime();
        // 143 = 128 + SIGTERM: the JVM ran its shutdown hook (the graceful stop) and exited by the signal.
        assertEquals(143, exit, instance.name() + " exit code after SIGTERM:\n" + JarInstance.tail(oldStderr));
        assertTrue(Files.readString(oldStderr).contains("Stopped accepting connections"),
                instance.name() + " did not stop gracefully:\n" + JarInstance.tail(oldStderr));
        instance.start();
        instance.awaitHealthy(START_TIMEOUT);
        return String.format("%s stopped in %d ms, back in %d ms", instance.name(),
                Duration.ofNanos(stopped - t0).toMillis(), Duration.ofNanos(System.nanoTime() - stopped).toMillis());
    }

    /** One client: a unique-id create, a read of it, and a health check, over and over until told to stop. */
    private void load(int worker, AtomicBoolean running, AtomicInteger requests, Queue<String> failures, Queue<String> created) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (int n = 0; running.get(); n++) {
            String id = "roll-" + worker + "-" + n;
            if (call(client, requests, failures, "POST create " + id,
                    request(API + "/create").header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(createBody(id))),
                    "Successfully created the record for the employee id: $" + id)) {
                created.add(id);
            }
            call(client, requests, failures, "GET search " + id, request(API + "/search?id=" + id).GET(),
                    "\"id\":\"" + id + "\"");
            call(client, requests, failures, "GET health", request(API + "/health").GET(), HealthController.HEALTHY);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean call(HttpClient client, AtomicInteger requests, Queue<String> failures, String what,
                                HttpRequest.Builder request, String expected) {
        requests.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().contains(expected)) {
                return true;
            }
            failures.add(String.format("%s: HTTP %d %s", what, r.statusCode(), r.body().strip()));
        } catch (IOException e) {
            failures.add(String.format("%s: %s after %d ms", what, e, Duration.ofNanos(System.nanoTime() - t0).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(nginx.url(path)));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(request(path).timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> r, int status, String body) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(body, r.body());
    }

    private static String createBody(String id) {
        return "{\"id\":\"" + id + "\",\"name\":\"Ada\",\"status\":\"Present\",\"date\":\"2023-01-02\"}";
    }

    private static Set<String> idsInTable() throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = env.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM records")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
