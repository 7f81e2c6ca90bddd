package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.Optional;
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

    @Test
    void theMasterOfTheCacheSlotKilledUnderLoadNoClientErrorTheCacheBackWithin5sAndNoStaleRead() throws Exception {
        try (App writer = app.startSibling(cluster::use);
             App reader = app.startSibling(cluster::use)) {
            int slot = JedisClusterCRC16.getSlot(ResponseCache.keyPrefix(cluster.use(app.config).redis(), app.config.cache())
                    + "generation");
            String master = cluster.masterOf(slot);
            assertNotNull(master, "a master for slot " + slot);
            RedisFailover.underLoad("cluster", writer, reader, master, () -> {
                cluster.kill(master);
                String promoted = Poll.until(() -> "the cluster promoting a replica for slot " + slot, RedisFailover.WAIT, () -> {
                    String now = cluster.masterOf(slot);
                    return now != null && !now.equals(master) ? Optional.of(now) : Optional.empty();
                });
                assertNotEquals(master, promoted);
                return promoted;
            });
        }
    }
}
