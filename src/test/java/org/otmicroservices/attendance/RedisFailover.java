package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
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
import java.util.function.Supplier;

/**
 * The failover both HA Redis modes are held to (RedisSentinelFailoverTest, RedisClusterFailoverTest): two
 * instances under reads and writes from 16 clients while the master is killed and a replica promoted; no client
 * sees an error, both use the cache on the new master within 5 s of the promotion, and then 300 write-then-read
 * pairs across them show no stale read.
 */
final class RedisFailover {
    static final Duration BACK_WITHIN = Duration.ofSeconds(5);
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final String V1 = "/api/v1/attendance";

    private RedisFailover() {}

    static String base(App a) {
        return "http://127.0.0.1:" + a.port() + V1;
    }

    /** Whether the instance uses the cache on this master (host:port), as health/detail says. */
    static boolean cachesOn(App a, String master) {
        String detail = Http.get(base(a) + "/health/detail").body();
        return detail.contains("\"redis\":\"up\"") && detail.contains("\"redis_master\":\"" + master + "\"");
    }

    /** failover: kills the master, waits for the promotion and returns the new master (host:port). */
    static void underLoad(String what, App writer, App reader, String master, Supplier<String> failover) throws Exception {
        for (App a : List.of(writer, reader)) {
            Poll.until("the cache on " + master, WAIT, () -> cachesOn(a, master));
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(200, Http.send(Http.request("POST", base(writer) + "/create", "application/json",
                    TestApp.record("ha-" + i, "Ada", "Present", "2023-01-02"))).statusCode());
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
                            : Http.get(base(a) + (n % 3 == 0 ? "/search/all" : "/search?id=ha-" + (n % 50)));
                    statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        Poll.sleep(1000);
        long killed = System.nanoTime();
        String promoted = failover.get();
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
        System.out.printf("%s failover: %s by status; the replica promoted %d ms after the kill, both instances"
                + " on it %d ms after the promotion%n", what, statuses, (promotedAt - killed) / 1_000_000, backMs);
        assertEquals(List.of(200), List.copyOf(statuses.keySet()), "every answer a 200 through the failover: " + statuses);
        assertTrue(backMs <= BACK_WITHIN.toMillis(), "the cache back in use " + backMs + " ms after the promotion");

        int stale = 0;
        for (int i = 0; i < 300; i++) {
            String id = "ha-" + (i % 50);
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
