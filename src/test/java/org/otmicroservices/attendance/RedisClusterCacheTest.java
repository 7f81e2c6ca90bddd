package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.cache.Lookup;
import org.otmicroservices.attendance.cache.ResponseCache;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.metrics.Metrics;
import redis.clients.jedis.RedisClusterClient;

/**
 * The cache on a real three-master Redis Cluster started from redis-server on free ports: a hit is one script on
 * one node (a key outside the prefix's slot would fail with CROSSSLOT), invalidation reaches every key, and a
 * master that lost the last bump (its replication id differs from the one the generation was fenced under) never
 * serves an entry stored before it.
 */
class RedisClusterCacheTest {
    @TempDir
    static Path dir;
    private static RedisClusterSet cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterSet.start(dir);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private static Config.Redis cluster() {
        return new Config.Redis(null, 0, null, 1000, 8, null, new Config.Cluster(List.copyOf(cluster.addresses)));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStoredResponseIsAHitUntilAnInvalidationOnACluster() {
        Config.Cache cache = new Config.Cache(20, "cluster_test:");
        try (ResponseCache c = ResponseCache.connect(cluster(), cache, new Metrics("test"))) {
            assertTrue(c.isUp());
            assertEquals("cluster", c.mode());
            assertTrue(cluster.addresses.contains(c.master()), c.master());
            for (String key : List.of("/search?id=1", "/search/all", "/summary")) {
                Lookup miss = c.lookup(key);
                assertFalse(miss.hit());
                c.store(key, miss.generation(), null, bytes(key));
                assertTrue(c.lookup(key).hit(), key);
            }
            c.invalidate();
            assertFalse(c.lookup("/search?id=1").hit());
        }
    }

    @Test
    void aMasterThatLostTheLastBumpServesNoEntryStoredBeforeIt() {
        Config.Cache cache = new Config.Cache(20, "fence_test:");
        try (ResponseCache c = ResponseCache.connect(cluster(), cache, new Metrics("test"));
             RedisClusterClient raw = cluster.client()) {
            Lookup before = c.lookup("/search?id=7");
            c.store("/search?id=7", before.generation(), null, bytes("old"));
            assertTrue(c.lookup("/search?id=7").hit());
            c.invalidate(); // a write: the generation is bumped, and this instance has heard of it
            assertFalse(c.lookup("/search?id=7").hit());
            // What a promoted replica holds when that bump did not reach it: the old generation beside the entry,
            // and the replication id of the master that fenced it, which is not its own.
            raw.set("{fence_test:}generation", Long.toString(before.generation()));
            raw.set("{fence_test:}replid", "0000000000000000000000000000000000000000");
            Lookup after = c.lookup("/search?id=7");
            assertFalse(after.hit(), "an entry from before the lost bump must not be served");
            assertTrue(after.generation() > before.generation());
            c.store("/search?id=7", after.generation(), null, bytes("new"));
            assertTrue(c.lookup("/search?id=7").hit());
        }
    }
}
