package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.otmicroservices.attendance.cache.ResponseCache;
import redis.clients.jedis.UnifiedJedis;

/**
 * The cache (README "Deliberate differences": how the cache stays consistent): keys with the query string,
 * read-your-writes across instances, TTL; the same assertions on a single Redis, on Sentinel and on a Cluster,
 * each started once for its run of the class. (Redis failing: RedisFaultTest; failovers: RedisSentinelFailoverTest,
 * RedisSentinelLostBumpTest, RedisClusterCacheTest.)
 */
@ParameterizedClass(name = "{0}")
@EnumSource(RedisTopology.Mode.class)
class CacheTest {
    @RegisterExtension
    @Order(1) // the servers first: the apps' configs point at them
    static final RedisTopology.PerInvocation redis = new RedisTopology.PerInvocation();
    @RegisterExtension
    @Order(2)
    static final TestApp app = new TestApp(redis::use);
    @RegisterExtension
    @Order(2)
    static final TestApp oneSecondTtl = new TestApp(c -> TestConfigs.with(redis.use(c), "cache.ttl_seconds", 1));
    @RegisterExtension
    @Order(2)
    static final TestApp cacheOff = new TestApp(c -> TestConfigs.with(redis.use(c), "cache.ttl_seconds", 0));

    /** The mode whose servers this run uses (started by redis). */
    @Parameter
    RedisTopology.Mode mode;

    private static final String V1 = "/api/v1/attendance";
    private static final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void emptyTable() {
        app.reset();
    }

    private static String newId() {
        return String.format("c%04d", ids.incrementAndGet()); // same length: id order is numeric order
    }

    private static String body(String id, String name) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"status\":\"Present\",\"date\":\"Sun, 01 Jan 2023 00:00:00 GMT\"}\n";
    }

    private static void created(TestApp target, String id, String name) {
        assertEquals(200, target.create(id, name, "Present", "2023-01-01").statusCode());
    }

    private static String search(TestApp target, String id) {
        HttpResponse<String> r = target.get(V1 + "/search?id=" + id);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void rename(TestApp target, String id, String name) {
        target.sql("UPDATE records SET name = '" + name + "' WHERE id = '" + id + "'");
    }

    @Test
    void theInstanceCachesOnTheRedisOfThisRun() {
        String detail = app.get(V1 + "/health/detail").body();
        assertTrue(detail.contains("\"redis\":\"up\""), detail);
        if (mode == RedisTopology.Mode.SINGLE) {
            assertFalse(detail.contains("redis_mode"), "a single node keeps the Flask body: " + detail);
        } else {
            assertTrue(detail.contains("\"redis_mode\":\"" + mode.name().toLowerCase(Locale.ROOT) + "\""), detail);
        }
    }

    @Test
    void searchForAnotherIdRightAfterASearchReturnsThatRecord() {
        String one = newId();
        String two = newId();
        created(app, one, "One");
        created(app, two, "Two");
        assertEquals(body(one, "One"), search(app, one));
        assertEquals(body(two, "Two"), search(app, two));
        assertEquals(body(one, "One"), search(app, one));
    }

    @Test
    void searchAllRightAfterACreateIncludesTheNewRecord() {
        String one = newId();
        String two = newId();
        created(app, one, "One");
        assertEquals("[" + body(one, "One").strip() + "]\n", app.get(V1 + "/search/all").body());
        created(app, two, "Two");
        assertEquals("[" + body(one, "One").strip() + "," + body(two, "Two").strip() + "]\n", app.get(V1 + "/search/all").body());
    }

    @Test
    void readsAreServedFromRedisUntilAWriteThroughTheApi() {
        String id = newId();
        created(app, id, "Before");
        assertEquals(body(id, "Before"), search(app, id));
        String allBefore = app.get(V1 + "/search/all").body();
        // Each store follows its answer: wait for both entries rather than race them.
        for (String key : List.of(V1 + "/search?id=" + id, V1 + "/search/all")) {
            Poll.until("the answer of " + key + " stored on " + mode, Duration.ofSeconds(5),
                    () -> app.redis().exists(app.keyPrefix() + "entry:" + key));
        }
        rename(app, id, "After");
        assertEquals(body(id, "Before"), search(app, id), "a cached read does not query PostgreSQL");
        assertEquals(allBefore, app.get(V1 + "/search/all").body());

        created(app, newId(), "Other");
        assertEquals(body(id, "After"), search(app, id), "a create invalidates every cached response");
        assertTrue(app.get(V1 + "/search/all").body().contains(body(id, "After").strip()));
    }

    @Test
    void aSecondInstanceSharingTheRedisSeesAWriteAtOnce() {
        try (App sibling = app.startSibling()) {
            String first = newId();
            created(app, first, "First");
            assertEquals("[" + body(first, "First").strip() + "]\n", app.get(sibling, V1 + "/search/all").body());
            assertEquals(404, app.get(sibling, V1 + "/search?id=" + "x" + first).statusCode());

            String second = newId();
            created(app, second, "Second");
            assertEquals("[" + body(first, "First").strip() + "," + body(second, "Second").strip() + "]\n",
                    app.get(sibling, V1 + "/search/all").body());

            // And the other way round, for an entry both instances have cached.
            assertEquals(body(first, "First"), search(app, first));
            assertEquals(body(first, "First"), app.get(sibling, V1 + "/search?id=" + first).body());
            rename(app, first, "Renamed");
            assertEquals(200, app.get(sibling, V1 + "/search/all").statusCode());
            assertEquals(body(first, "First"), search(app, first), "still cached");
            HttpResponse<String> viaSibling = app.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + sibling.port() + V1 + "/create"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"id\":\"" + newId() + "\",\"name\":\"n\",\"status\":\"s\",\"date\":\"2023-01-01\"}")));
            assertEquals(200, viaSibling.statusCode());
            assertEquals(body(first, "Renamed"), search(app, first), "the sibling's write invalidated this instance's entry");
        }
    }

    @Test
    void aHotEntryIsAnsweredFromMemoryWithoutRedis() {
        String id = newId();
        created(app, id, "Kept");
        double before = localHits(app.app);
        // The invalidation watch connects in the background: a few reads until one is answered from memory.
        Poll.until(() -> "a read answered from memory", Duration.ofSeconds(5), () -> {
            assertEquals(body(id, "Kept"), search(app, id));
            return localHits(app.app) > before ? Optional.of(true) : Optional.empty();
        });
    }

    @Test
    void aGenerationBumpedOutsideTheServiceEndsTheCopiesInMemoryWithinOneLease() {
        // An operator's INCR waits for no instance's acknowledgement (a write through any instance does: the
        // next test); the renewal that follows it, at the latest when the lease runs out, ends the copies.
        String id = newId();
        created(app, id, "v0");
        UnifiedJedis redis = app.redis();
        for (int round = 1; round <= 5; round++) {
            double before = localHits(app.app);
            String expected = body(id, "v" + (round - 1));
            Poll.until(() -> "a read answered from memory", Duration.ofSeconds(5), () -> {
                assertEquals(expected, search(app, id));
                return localHits(app.app) > before ? Optional.of(true) : Optional.empty();
            });
            rename(app, id, "v" + round);
            redis.incr(app.keyPrefix() + "generation");
            long bumped = System.nanoTime();
            sleep(ResponseCache.KEPT_COPIES_TRUST.toMillis());
            assertEquals(body(id, "v" + round), search(app, id), "round " + round + ", "
                    + Duration.ofNanos(System.nanoTime() - bumped).toMillis() + " ms after the bump");
        }
    }

    @Test
    void writesThroughOneInstanceAreReadAtOnceThroughAnotherThatKeepsCopiesInMemory() {
        try (App sibling = app.startSibling()) {
            StringBuilder all = new StringBuilder();
            for (int round = 0; round < 40; round++) {
                for (int read = 0; read < 3; read++) { // warm: from Redis, then from memory
                    assertEquals("[" + all + "]\n", app.get(sibling, V1 + "/search/all").body());
                }
                String id = newId();
                created(app, id, "R" + round);
                all.append(all.length() == 0 ? "" : ",").append(body(id, "R" + round).strip());
                assertEquals("[" + all + "]\n", app.get(sibling, V1 + "/search/all").body(), "round " + round);
            }
            assertTrue(localHits(sibling) > 0, "the sibling answered from memory in between");
        }
    }

    /** Cache hits the instance answered from memory, from its /metrics. */
    private static double localHits(App instance) {
        return app.metric(instance, "attendance_cache_local_hits_total");
    }

    @Test
    void onlySuccessfulResponsesAreCached() {
        String id = newId();
        assertEquals(404, app.get(V1 + "/search?id=" + id).statusCode());
        app.sql("INSERT INTO records VALUES ('" + id + "', 'Direct', 'Present', '2023-01-01')");
        assertEquals(body(id, "Direct"), search(app, id));

        assertEquals(400, app.get(V1 + "/search?id=").statusCode());
        String prefix = app.keyPrefix() + "entry:";
        // The store follows the answer, so the client may read it a moment before the entry is there.
        Poll.until("the 200 stored", Duration.ofSeconds(5), () -> app.redis().exists(prefix + V1 + "/search?id=" + id));
        assertFalse(app.redis().exists(prefix + V1 + "/search?id="));
    }

    @Test
    void entriesExpireAfterTheConfiguredTtl() {
        oneSecondTtl.reset();
        String id = newId();
        created(oneSecondTtl, id, "Before");
        long cachedAt = System.nanoTime();
        assertEquals(body(id, "Before"), search(oneSecondTtl, id));
        rename(oneSecondTtl, id, "After");
        String soon = search(oneSecondTtl, id);
        if (Duration.ofNanos(System.nanoTime() - cachedAt).toMillis() < 900) { // a loaded machine may be slower than the TTL
            assertEquals(body(id, "Before"), soon, "served from the cache within the TTL");
        }
        Poll.until("the entry to expire after 1 s", Duration.ofSeconds(5), () -> search(oneSecondTtl, id).equals(body(id, "After")));
        assertTrue(Duration.ofNanos(System.nanoTime() - cachedAt).toMillis() >= 900);
    }

    @Test
    void aTtlOfZeroTurnsTheCacheOff() {
        cacheOff.reset();
        String id = newId();
        created(cacheOff, id, "Before");
        assertEquals(body(id, "Before"), search(cacheOff, id));
        rename(cacheOff, id, "After");
        assertEquals(body(id, "After"), search(cacheOff, id));
        assertEquals(Set.of(), cacheOff.redis().keys(cacheOff.keyPrefix() + "entry:*"));
    }
}
