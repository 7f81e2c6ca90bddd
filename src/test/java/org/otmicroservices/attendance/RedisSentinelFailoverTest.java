package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
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

/**
 * Two instances on Redis with Sentinel (a master, a replica, three sentinels, all redis-server on free ports):
 * the master killed (SIGKILL) under reads and writes from 16 clients, the sentinels promote the replica; no client
 * sees an error, both instances use the cache on the new master within 5 s of the promotion, and writes on one
 * show in reads on the other.
 */
class RedisSentinelFailoverTest {
    private static final Duration BACK_WITHIN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String V1 = "/api/v1/attendance";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final TestApp app = new TestApp();

    private static RedisSentinelSet set;

    @BeforeAll
    static void startSentinelSet() {
        set = RedisSentinelSet.start(dir);
    }

    @AfterAll
    static void stopSentinelSet() {
        set.close();
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
        try (App writer = app.startSibling(set::use);
             App reader = app.startSibling(set::use)) {
            for (App a : List.of(writer, reader)) {
                Poll.until("the cache on the first master", WAIT, () -> cachesOn(a, set.masterPort));
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
            long killed = System.nanoTime();
            set.killMaster();
            set.awaitPromotion();
            long promoted = System.nanoTime();
            for (App a : List.of(writer, reader)) {
                Poll.until("the cache on the promoted replica", WAIT, () -> cachesOn(a, set.replicaPort));
            }
            long backMs = (System.nanoTime() - promoted) / 1_000_000;
            Poll.sleep(500);
            running.set(false);
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            clients.shutdown();
            System.out.printf("sentinel failover: %s by status; the replica promoted %d ms after the kill, both instances"
                    + " on it %d ms after the promotion%n", statuses, (promoted - killed) / 1_000_000, backMs);
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
                Map.of("master", RedisSentinelSet.MASTER_NAME, "nodes", List.of("127.0.0.1:" + nobody), "password", "")))) {
            HttpResponse<String> detail = Http.get(base(lonely) + "/health/detail");
            assertEquals(200, detail.statusCode(), detail.body());
            assertTrue(detail.body().contains("\"redis\":\"down\""), detail.body());
            assertEquals(200, Http.get(base(lonely) + "/search/all").statusCode());
        }
    }
}
