package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.otmicroservices.attendance.cache.ResponseCache;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Two instances on a Redis Cluster with a replica per master: the master holding the cache's slot killed (SIGKILL)
 * under reads and writes from 16 clients, the cluster promotes its replica; no client sees an error, both instances
 * use the cache on the new master within 5 s of the promotion, and writes on one show in reads on the other.
 */
class RedisClusterFailoverTest {
    private static final Duration BACK_WITHIN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String V1 = "/api/v1/attendance";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final TestApp app = new TestApp();
    private static RedisClusterSet cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterSet.startWithReplicas(dir);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static String base(App a) {
        return "http://127.0.0.1:" + a.port() + V1;
    }

    private static boolean cachesOn(App a, String master) {
        String detail = Http.get(base(a) + "/health/detail").body();
        return detail.contains("\"redis\":\"up\"") && detail.contains("\"redis_master\":\"" + master + "\"");
    }

    @Test
    void theMasterOfTheCacheSlotKilledUnderLoadNoClientErrorTheCacheBackWithin5sAndNoStaleRead() throws Exception {
        try (App writer = app.startSibling(cluster::use);
             App reader = app.startSibling(cluster::use)) {
            int slot = JedisClusterCRC16.getSlot(ResponseCache.keyPrefix(cluster.use(app.config).redis(), app.config.cache())
                    + "generation");
            String master = cluster.masterOf(slot);
            assertNotNull(master, "a master for slot " + slot);
            for (App a : List.of(writer, reader)) {
                Poll.until("the cache on " + master, WAIT, () -> cachesOn(a, master));
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(200, Http.send(Http.request("POST", base(writer) + "/create", "application/json",
                        TestApp.record("clu-" + i, "Ada", "Present", "2023-01-02"))).statusCode());
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
                                : Http.get(base(a) + (n % 3 == 0 ? "/search/all" : "/search?id=clu-" + (n % 50)));
                        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            Poll.sleep(1000);
            long killed = System.nanoTime();
            cluster.kill(master);
            String promoted = Poll.until(() -> "the cluster promoting a replica for slot " + slot, WAIT, () -> {
                String now = cluster.masterOf(slot);
                return now != null && !now.equals(master) ? java.util.Optional.of(now) : java.util.Optional.empty();
            });
            long promotedAt = System.nanoTime();
            for (App a : List.of(writer, reader)) {
                Poll.until("the cache on the promoted replica " + promoted, WAIT, () -> cachesOn(a, promoted));
            }
            long backMs = (System.nanoTime() - promotedAt) / 1_000_000;
            Poll.sleep(500);
            running.set(false);
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            clients.shutdown();
            System.out.printf("cluster failover: %s by status; the replica promoted %d ms after the kill, both instances"
                    + " on it %d ms after the promotion%n", statuses, (promotedAt - killed) / 1_000_000, backMs);
            assertNotEquals(master, promoted);
            assertEquals(List.of(200), List.copyOf(statuses.keySet()), "every answer a 200 through the failover: " + statuses);
            assertTrue(backMs <= BACK_WITHIN.toMillis(), "the cache back in use " + backMs + " ms after the promotion");

            int stale = 0;
            for (int i = 0; i < 300; i++) {
                String id = "clu-" + (i % 50);
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
}
