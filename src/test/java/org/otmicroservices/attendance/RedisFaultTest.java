package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.http.HealthController;
import org.otmicroservices.attendance.http.Routes;
import redis.clients.jedis.RedisClient;

/**
 * Redis refused and black-holed through a FaultProxy: every route keeps answering correctly from PostgreSQL, fast
 * once the breaker is open, health/detail says "redis":"down" and then "up", and the cache is used again without
 * serving anything written during the outage stale.
 */
class RedisFaultTest {
    /**
     * Long on purpose: a request that still waited on Redis would take at least this long, so "fast" below cannot
     * be met by luck. (Production default: 100 ms.)
     */
    private static final int REDIS_TIMEOUT_MS = 2000;
    private static final long FAST_MS = REDIS_TIMEOUT_MS / 2;
    private static final String V1 = Routes.V1;

    static FaultProxy proxy;

    @RegisterExtension
    static final TestApp app = new TestApp(c -> {
        proxy = FaultProxy.to(c.redis().host(), c.redis().port());
        return TestConfigs.with(c, "redis.host", proxy.host(), "redis.port", proxy.port(), "redis.timeout_ms", REDIS_TIMEOUT_MS);
    });

    @AfterAll
    static void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void redisUpAndTableEmpty() {
        proxy.pass();
        awaitRedis("up");
        app.reset();
    }

    @Test
    void redisRefusedEveryRouteAnswersFromPostgresThenTheCacheIsUsedAgain() {
        outage(proxy::refuse);
    }

    @Test
    void redisBlackHoledEveryRouteAnswersFastOnceTheBreakerIsOpenThenTheCacheIsUsedAgain() {
        outage(proxy::blackhole);
    }

    @Test
    void aChangeUnheardWhileRedisIsBlackHoledIsNeverAnsweredFromMemory() {
        assertEquals(200, app.create("a", "Alice", "Present", "2023-01-01").statusCode());
        double hits = localHits();
        Poll.until(() -> "a read answered from memory", Duration.ofSeconds(5), () -> {
            assertTrue(app.get(V1 + "/search?id=a").body().contains("Alice"));
            return localHits() > hits ? Optional.of(true) : Optional.empty();
        });
        proxy.blackhole();
        // Another instance's write, which this one cannot hear: the push would come through the dead link.
        app.sql("UPDATE records SET name = 'Renamed' WHERE id = 'a'");
        try (RedisClient redis = app.env.redis()) {
            redis.incr(app.config.cache().keyPrefix() + "generation");
        }
        sleep(ResponseCache.KEPT_COPIES_TRUST.toMillis() + 100); // the heartbeats unanswered: memory no longer trusted
        HttpResponse<String> r = timed(() -> app.get(V1 + "/search?id=a"), REDIS_TIMEOUT_MS * 3L);
        assertTrue(r.body().contains("Renamed"), r.body());
    }

    private void outage(Runnable fault) {
        assertEquals(200, app.create("a", "Alice", "Present", "2023-01-01").statusCode());
        String a = "{\"id\":\"a\",\"name\":\"Alice\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}";
        String b = "{\"id\":\"b\",\"name\":\"Bob\",\"status\":\"Absent\",\"date\":\"Mon, 02 Jan 2023 00:00:00 GMT\"}";
        // Cache both reads, and prove they are served from Redis.
        assertEquals(a + "\n", app.get(V1 + "/search?id=a").body());
        assertEquals("[" + a + "]\n", app.get(V1 + "/search/all").body());
        double hits = cacheHits();
        assertEquals("[" + a + "]\n", app.get(V1 + "/search/all").body());
        assertEquals(hits + 1, cacheHits(), "search/all served from the cache before the outage");

        fault.run();
        // The first call to notice the failure may wait out the Redis time-out once; it still answers correctly.
        assertEquals(a + "\n", timed(() -> app.get(V1 + "/search?id=a"), REDIS_TIMEOUT_MS * 3L).body());
        awaitRedis("down");

        // Breaker open: every route answers correctly from PostgreSQL without waiting on Redis.
        for (int round = 0; round < 3; round++) {
            String id = "b" + (round == 0 ? "" : round);
            HttpResponse<String> created = timed(() -> app.create(id, "Bob", "Absent", "2023-01-02"), FAST_MS);
            assertEquals(200, created.statusCode(), created.body());
            assertEquals(409, timed(() -> app.create(id, "Bob", "Absent", "2023-01-02"), FAST_MS).statusCode());
            assertEquals(a + "\n", timed(() -> app.get(V1 + "/search?id=a"), FAST_MS).body());
            assertEquals(b + "\n", timed(() -> app.get(V1 + "/search?id=b"), FAST_MS).body());
            HttpResponse<String> all = timed(() -> app.get(V1 + "/search/all"), FAST_MS);
            assertEquals(200, all.statusCode());
            assertTrue(all.body().startsWith("[" + a + "," + b), "search/all includes the write made during the outage: " + all.body());
            assertEquals(404, timed(() -> app.get(V1 + "/search?id=nobody"), FAST_MS).statusCode());
            assertEquals(400, timed(() -> app.get(V1 + "/search"), FAST_MS).statusCode());
            // Nothing stale is served: a change behind the service's back shows at once.
            String changed = "r" + round;
            assertEquals(200, timed(() -> app.create(changed, "Before", "Present", "2023-01-03"), FAST_MS).statusCode());
            assertTrue(timed(() -> app.get(V1 + "/search?id=" + changed), FAST_MS).body().contains("\"name\":\"Before\""));
            app.sql("UPDATE records SET name = 'Renamed' WHERE id = '" + changed + "'");
            assertTrue(timed(() -> app.get(V1 + "/search?id=" + changed), FAST_MS).body().contains("\"name\":\"Renamed\""));
            HttpResponse<String> health = timed(() -> app.get(V1 + "/health"), FAST_MS);
            assertEquals(200, health.statusCode());
            assertEquals("{\"message\":\"" + HealthController.HEALTHY + "\"}\n", health.body());
            HttpResponse<String> detail = timed(() -> app.get(V1 + "/health/detail"), FAST_MS);
            assertEquals(200, detail.statusCode());
            assertEquals("{\"message\":\"" + HealthController.HEALTHY
                    + "\",\"postgresql\":\"up\",\"redis\":\"down\",\"status\":\"up\"}\n", detail.body());
            for (String other : List.of("/metrics", "/apidocs/", "/openapi.json")) {
                assertEquals(200, timed(() -> app.get(other), FAST_MS).statusCode(), other);
            }
        }

        proxy.pass();
        awaitRedis("up");
        // The search/all cached before the outage must not come back: the writes made meanwhile invalidate it.
        HttpResponse<String> all = app.get(V1 + "/search/all");
        assertTrue(all.body().startsWith("[" + a + "," + b), "no stale cache after recovery: " + all.body());
        hits = cacheHits();
        assertEquals(all.body(), app.get(V1 + "/search/all").body());
        assertEquals(hits + 1, cacheHits(), "the cache is used again after recovery");
        assertEquals(b + "\n", app.get(V1 + "/search?id=b").body());
    }

    private static <T> T timed(Supplier<T> call, long maxMs) {
        long start = System.nanoTime();
        T result = call.get();
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(ms <= maxMs, "took " + ms + " ms, more than " + maxMs + " ms: " + result);
        return result;
    }

    private void awaitRedis(String state) {
        String[] last = {""};
        Poll.until(() -> "health/detail to show redis " + state + "; last: " + last[0], Duration.ofSeconds(10), () -> {
            last[0] = app.get(V1 + "/health/detail").body();
            return last[0].contains("\"redis\":\"" + state + "\"") ? Optional.of(true) : Optional.empty();
        });
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private double localHits() {
        return app.metric("attendance_cache_local_hits_total");
    }

    private double cacheHits() {
        return app.metric("attendance_cache_requests_total{result=\"hit\",}");
    }
}
