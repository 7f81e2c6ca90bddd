package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.http.HealthController;

/**
 * The deployment of docs/DEPLOYING.md, end to end: Debian's nginx with docs/nginx/attendance-api.conf in front of
 * two processes of the jar sharing one database and one Redis prefix. Proves the smoke test passes through nginx,
 * that the access log names the real client, and the rolling-restart promise: under load, restarting instance 1
 * and then instance 2 (SIGTERM, start, wait for health) costs the clients not one failed request and loses no
 * acknowledged create. And the rate limits of the shipped config, read from it: a burst of writes or of reads from
 * one client address beyond its zone's burst gets 429 JSON with Retry-After, a client under the rates gets none,
 * and the host's own address is not limited (the rolling restart's load comes from it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BehindNginxIT {
    private static final String API = "/api/v1/attendance";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15); // TimeoutStopSec of the systemd unit
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final int CLIENTS = 4;
    private static final Duration MIN_LOAD = Duration.ofSeconds(20);

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    private static Path workDir;
    private static String database;
    /** The two instances; a restart puts the new process in its predecessor's place. */
    private static final List<JarProcess> instances = new ArrayList<>();
    private static NginxProcess nginx;

    @BeforeAll
    static void startNginxAndTwoInstances() throws Exception {
        NginxProcess.binary(); // fail at once, with the fix, when nginx is missing
        database = jar.env.createDatabase();
        workDir = Path.of("target", "behind-nginx-it").toAbsolutePath();
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        // One config.yaml for both, each on its own port through the environment, as the systemd unit does it
        // (Environment=SERVER_PORT=%i).
        Config config = TestConfigs.with(jar.config(database), "server.trust_proxy", true);
        TestConfigs.write(workDir, config);
        // Migrate once before the instances start, as DEPLOYING.md says: two instances migrating at the same
        // moment would wait on Liquibase's lock.
        App.connectAndMigrate(config.postgres()).close();

        for (int i = 0; i < 2; i++) {
            instances.add(serve(Ports.free()));
        }
        for (JarProcess instance : instances) {
            instance.awaitHealthy(START_TIMEOUT);
        }
        nginx = new NginxProcess(workDir.resolve("nginx"), Ports.free());
        nginx.start(instances.get(0).port(), instances.get(1).port());
    }

    private static JarProcess serve(int port) {
        return jar.serve(workDir, port, Map.of("SERVER_PORT", String.valueOf(port)));
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
        // (the Launcher stops the instances)
    }

    @Test
    @Order(1)
    void smokeTestPassesThroughNginx() {
        SmokeScript.Result smoke = SmokeScript.run(nginx.url(""));
        assertEquals(0, smoke.exitCode(), "scripts/smoke.sh through nginx failed:\n" + smoke.output());
        System.out.println("BehindNginxIT: scripts/smoke.sh through nginx:\n" + smoke.output());
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
        String logged = Poll.until(() -> "an access log line for " + marker, Duration.ofSeconds(5), () -> instances.stream()
                .map(instance -> line.matcher(instance.stdout())).filter(Matcher::find).map(m -> m.group(1)).findFirst());
        assertEquals("127.0.0.2", logged);
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
            for (int i = 0; i < instances.size(); i++) {
                restarts.add(restart(i));
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
                + "\nnginx error log:\n" + nginx.errorLogTail());
        assertTrue(requests.get() > 300, "too little load to prove anything: " + summary);

        Set<String> missing = new HashSet<>(created);
        missing.removeAll(idsInTable());
        assertEquals(Set.of(), missing, "creates answered 200 but not in the table");

        // Both restarted processes took creates again: nginx went back to them.
        for (int i = 0; i < instances.size(); i++) {
            assertTrue(instances.get(i).stdout().contains("\"POST " + API + "/create HTTP/1.1\""),
                    "instance " + (i + 1) + " got no create after its restart");
        }
    }

    @Test
    @Order(5)
    void aBurstOfWritesOverTheLimitGets429JsonWhileReadsFromTheSameAddressStillPass() throws Exception {
        InetAddress client = InetAddress.getByName("127.0.0.3");
        burstIsRefusedBeyondItsLimit(client, NginxProcess.rateLimit("attendance_writes"), n -> create("burst-" + n));
        // Reads are counted in their own zone: the refused writes cost them nothing.
        assertEquals(200, RawHttp.send(client, nginx.port(), get(API + "/health"), out -> { }).status());
    }

    @Test
    @Order(6)
    void aBurstOfReadsOverTheLimitGets429Json() throws Exception {
        burstIsRefusedBeyondItsLimit(InetAddress.getByName("127.0.0.4"), NginxProcess.rateLimit("attendance_reads"),
                n -> new Request(get(API + "/health"), new byte[0]));
    }

    @Test
    @Order(7)
    void aClientUnderTheLimitsGetsNo429() throws Exception {
        InetAddress client = InetAddress.getByName("127.0.0.5");
        NginxProcess.RateLimit reads = NginxProcess.rateLimit("attendance_reads");
        NginxProcess.RateLimit writes = NginxProcess.rateLimit("attendance_writes");
        // Creates at half the write rate (one a cycle) and reads at half the read rate, for 15 cycles (3 s as
        // shipped): a busy client, but within both limits.
        long cycleMillis = 2000 / writes.perSecond();
        long readsPerCycle = reads.perSecond() * cycleMillis / 2000;
        long cycleNanos = Duration.ofMillis(cycleMillis).toNanos();
        List<String> refused = new ArrayList<>();
        int requests = 0;
        long next = System.nanoTime();
        for (int n = 0; n < 15; n++) {
            Request create = create("paced-" + n);
            requests++;
            RawHttp.Response r = RawHttp.send(client, nginx.port(), create.head(), out -> out.write(create.body()));
            if (r.status() != 200) {
                refused.add("create " + n + ": " + r.status() + " " + r.body());
            }
            for (int i = 0; i < readsPerCycle; i++) {
                requests++;
                RawHttp.Response read = RawHttp.send(client, nginx.port(), get(API + "/search?id=paced-" + n), out -> { });
                if (read.status() != 200) {
                    refused.add("read " + n + "." + i + ": " + read.status() + " " + read.body());
                }
            }
            next += cycleNanos;
            Poll.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
        }
        assertTrue(refused.isEmpty(), refused.size() + " of " + requests + " paced requests refused:\n" + String.join("\n", refused));
    }

    /** A raw request: the head without its blank line (RawHttp adds "Connection: close"), and the body. */
    private record Request(byte[] head, byte[] body) {}

    private static byte[] get(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: x").getBytes(StandardCharsets.US_ASCII);
    }

    private static Request create(String id) {
        byte[] body = TestApp.record(id, "Ada", "Present", "2023-01-02").getBytes(StandardCharsets.UTF_8);
        String head = "POST " + API + "/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + body.length;
        return new Request(head.getBytes(StandardCharsets.US_ASCII), body);
    }

    /**
     * Sends requests from one address back to back until nginx refuses one. nginx admits the first, then the
     * burst at once (nodelay), plus what the rate refills meanwhile; the rest get its 429, which must be JSON like
     * every error of the service and say when to retry.
     */
    private static void burstIsRefusedBeyondItsLimit(InetAddress client, NginxProcess.RateLimit limit, IntFunction<Request> request)
            throws IOException {
        int admitted = 0;
        RawHttp.Response refused = null;
        long t0 = System.nanoTime();
        for (int n = 0; n < 10 * (limit.burst() + 1) && refused == null; n++) {
            Request r = request.apply(n);
            RawHttp.Response response = RawHttp.send(client, nginx.port(), r.head(), out -> out.write(r.body()));
            if (response.status() == 429) {
                refused = response;
            } else {
                assertEquals(200, response.status(), response.body());
                admitted++;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(refused != null, "no 429 after " + admitted + " requests in " + seconds + " s");
        long refilled = (long) Math.ceil(limit.perSecond() * seconds);
        assertTrue(admitted >= limit.burst() + 1 && admitted <= limit.burst() + 1 + refilled,
                admitted + " admitted in " + seconds + " s at " + limit);
        assertEquals("application/json", refused.header("Content-Type"), "Content-Type of the 429");
        assertEquals("1", refused.header("Retry-After"), "Retry-After of the 429");
        JsonNode body = TestJson.parse(refused.body());
        assertEquals("Too Many Requests", body.path("error").asText(), refused.body());
        assertTrue(body.path("message").asText().contains("retry"), refused.body());
    }

    /** SIGTERM, wait for the exit, start again, wait until healthy: one step of a rolling deploy. */
    private static String restart(int i) {
        String name = "instance " + (i + 1);
        JarProcess old = instances.get(i);
        long t0 = System.nanoTime();
        old.terminate();
        int exit = old.awaitExit(STOP_TIMEOUT);
        long stopped = System.nanoTime();
        // 143 = 128 + SIGTERM: the JVM ran its shutdown hook (the graceful stop) and exited by the signal.
        assertEquals(143, exit, name + " exit code after SIGTERM:\n" + old.stderr());
        assertTrue(old.stderr().contains("Stopped accepting connections"), name + " did not stop gracefully:\n" + old.stderr());
        JarProcess fresh = serve(old.port());
        instances.set(i, fresh);
        fresh.awaitHealthy(START_TIMEOUT);
        return String.format("%s stopped in %d ms, back in %d ms", name,
                Duration.ofNanos(stopped - t0).toMillis(), Duration.ofNanos(System.nanoTime() - stopped).toMillis());
    }

    /** One client: a unique-id create, a read of it, and a health check, over and over until told to stop. */
    private static void load(int worker, AtomicBoolean running, AtomicInteger requests, Queue<String> failures, Queue<String> created) {
        for (int n = 0; running.get(); n++) {
            String id = "roll-" + worker + "-" + n;
            if (call(requests, failures, "POST create " + id,
                    Http.request("POST", nginx.url(API + "/create"), "application/json", TestApp.record(id, "Ada", "Present", "2023-01-02")),
                    "Successfully created the record for the employee id: $" + id)) {
                created.add(id);
            }
            call(requests, failures, "GET search " + id, Http.request("GET", nginx.url(API + "/search?id=" + id), null, null),
                    "\"id\":\"" + id + "\"");
            call(requests, failures, "GET health", Http.request("GET", nginx.url(API + "/health"), null, null), HealthController.HEALTHY);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean call(AtomicInteger requests, Queue<String> failures, String what,
                                HttpRequest.Builder request, String expected) {
        requests.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = Http.send(request.timeout(REQUEST_TIMEOUT));
            if (r.statusCode() == 200 && r.body().contains(expected)) {
                return true;
            }
            failures.add(String.format("%s: HTTP %d %s", what, r.statusCode(), r.body().strip()));
        } catch (UncheckedIOException e) {
            failures.add(String.format("%s: %s after %d ms", what, e.getCause(), Duration.ofNanos(System.nanoTime() - t0).toMillis()));
        }
        return false;
    }

    private static HttpResponse<String> post(String path, String json) {
        return Http.send(Http.request("POST", nginx.url(path), "application/json", json).timeout(REQUEST_TIMEOUT));
    }

    private static Set<String> idsInTable() {
        return Set.copyOf(jar.env.column(database, "SELECT id FROM records"));
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
}
