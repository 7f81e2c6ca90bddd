package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;

/**
 * Two instances on Redis with Sentinel (a master, a replica, three sentinels, all redis-server on free ports):
 * the master killed (SIGKILL) under reads and writes from 16 clients, the sentinels promote the replica; no client
 * sees an error, both instances use the cache on the new master within 5 s of the promotion, and writes on one
 * show in reads on the other.
 */
class RedisSentinelFailoverTest {
    private static final String MASTER_NAME = "mymaster";
    private static final Duration BACK_WITHIN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String V1 = "/api/v1/attendance";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final TestApp app = new TestApp();

    private static final List<Process> processes = new ArrayList<>();
    private static Process master;
    private static int masterPort;
    private static int replicaPort;
    private static final List<String> sentinels = new ArrayList<>();

    @BeforeAll
    static void startSentinelSet() throws Exception {
        masterPort = Ports.free();
        replicaPort = Ports.free();
        master = redis("master", "--port", Integer.toString(masterPort));
        redis("replica", "--port", Integer.toString(replicaPort), "--replicaof", "127.0.0.1", Integer.toString(masterPort));
        for (int i = 0; i < 3; i++) {
            int port = Ports.free();
            Path conf = dir.resolve("sentinel" + i + ".conf");
            // Sentinels rewrite their file as they learn the set: each has its own, writable.
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + MASTER_NAME + " 127.0.0.1 "
                    + masterPort + " 2\nsentinel down-after-milliseconds " + MASTER_NAME + " 1000\nsentinel failover-timeout "
                    + MASTER_NAME + " 5000\n");
            processes.add(new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel" + i + ".log").toFile()).start());
            sentinels.add("127.0.0.1:" + port);
        }
        for (String s : sentinels) {
            int port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
            Poll.until("sentinel " + s + " listening", WAIT, () -> !Ports.refuses(port));
        }
        Poll.until("the replica in sync", WAIT, () -> cli(replicaPort, "INFO", "replication").contains("master_link_status:up"));
        Poll.until("the sentinels knowing each other", WAIT,
                () -> cli(sentinelPort(0), "SENTINEL", "ckquorum", MASTER_NAME).startsWith("OK"));
    }

    private static Process redis(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        int port = Integer.parseInt(args[1]);
        Poll.until(name + " listening", WAIT, () -> !Ports.refuses(port));
        return p;
    }

    private static int sentinelPort(int i) {
        return Integer.parseInt(sentinels.get(i).substring(sentinels.get(i).indexOf(':') + 1));
    }

    /** One redis-cli command's output (empty when it fails). */
    private static String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        ToolRun.Result r = ToolRun.run(dir.resolve("cli"), "cli-" + System.nanoTime(), Duration.ofSeconds(10), command);
        return r.exitCode() == 0 ? r.output() : "";
    }

    @AfterAll
    static void stopSentinelSet() {
        processes.forEach(Process::destroyForcibly);
    }

    private static Config sentinelConfig(Config c) {
        return TestConfigs.with(c, "redis.sentinel", Map.of("master", MASTER_NAME, "nodes", List.copyOf(sentinels), "password", ""),
                "cache.key_prefix", c.cache().keyPrefix() + "sentinel:");
    }

    private static String base(App a) {
        return "http://127.0.0.1:" + a.port() + V1;
    }

    private static boolean cachesOn(App a, int port) {
        String detail = Http.get(base(a) + "/health/detail").body();
        return detail.contains("\"redis\":\"up\"") && detail.contains("\"redis_master\":\"127.0.0.1:" + port + "\"");
    }

    @Test
    void theMasterKilledUnderLoadNoClientErrorTheCacheBackWithin5sAndNoStaleRead() throws Exception {
        try (App writer = app.startSibling(RedisSentinelFailoverTest::sentinelConfig);
             App reader = app.startSibling(RedisSentinelFailoverTest::sentinelConfig)) {
            for (App a : List.of(writer, reader)) {
                Poll.until("the cache on the first master", WAIT, () -> cachesOn(a, masterPort));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(200, Http.send(Http.request("POST", base(writer) + "/create", "application/json",
                        TestApp.record("sen-" + i, "Ada", "Present", "2023-01-02"))).statusCode());
            }

            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger serial = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                done.add(clients.submit(() -> {
                    while (running.get()) {
                        App a = thread % 2 == 0 ? writer : reader;
                        int n = serial.incrementAndGet();
                        HttpResponse<String> r = n % 10 == 0
                                ? Http.send(Http.request("POST", base(a) + "/create", "application/json",
                                        TestApp.record("load-" + n, "Bo", "Present", "2023-01-03")))
                                : Http.get(base(a) + (n % 3 == 0 ? "/search/all" : "/search?id=sen-" + (n % 50)));
                        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            Poll.sleep(1000);
            master.destroyForcibly(); // SIGKILL
            Poll.until("the sentinels promoting the replica", WAIT, () -> cli(sentinelPort(0), "SENTINEL",
                    "get-master-addr-by-name", MASTER_NAME).contains(Integer.toString(replicaPort)));
            long promoted = System.nanoTime();
            for (App a : List.of(writer, reader)) {
                Poll.until("the cache on the promoted replica", WAIT, () -> cachesOn(a, replicaPort));
            }
            long backMs = (System.nanoTime() - promoted) / 1_000_000;
            Poll.sleep(500);
            running.set(false);
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            clients.shutdown();
            System.out.printf("sentinel failover: %s by status; both instances on the new master %d ms after the promotion%n",
                    statuses, backMs);
            assertEquals(List.of(200), List.copyOf(statuses.keySet()), "every answer a 200 through the failover: " + statuses);
            assertTrue(backMs <= BACK_WITHIN.toMillis(), "the cache back in use " + backMs + " ms after the promotion");

            int stale = 0;
            for (int i = 0; i < 300; i++) {
                String id = "sen-" + (i % 50);
                String status = "S" + i;
                HttpResponse<String> put = Http.send(Http.request("PUT", base(writer) + "/" + id, "application/json",
                        TestApp.record(id, "Ada", status, "2023-01-02")));
                assertEquals(200, put.statusCode(), put.body());
                if (!Http.get(base(reader) + "/search?id=" + id).body().contains("\"status\":\"" + status + "\"")) {
                    stale++;
                }
            }
            assertEquals(0, stale, "stale reads in 300 write-then-read pairs after the failover");
        }
    }

    @Test
    void anInstanceStartsAndServesWhileNoSentinelAnswers() {
        int nobody = Ports.free();
        try (App lonely = app.startSibling(c -> TestConfigs.with(c, "redis.sentinel",
                Map.of("master", MASTER_NAME, "nodes", List.of("127.0.0.1:" + nobody), "password", "")))) {
            HttpResponse<String> detail = Http.get(base(lonely) + "/health/detail");
            assertEquals(200, detail.statusCode(), detail.body());
            assertTrue(detail.body().contains("\"redis\":\"down\""), detail.body());
            assertEquals(200, Http.get(base(lonely) + "/search/all").statusCode());
        }
    }
}
