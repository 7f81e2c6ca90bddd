package org.otmicroservices.attendance;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.cache.ResponseCache;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A real Redis Cluster failover that loses the last generation bump (RedisLostBump): the master of the cache's slot
 * killed with the bump unsent to its stopped replica, which the cluster then promotes; no read shows the entry from
 * before the write.
 */
class RedisClusterLostBumpTest {
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
    void aBumpLostInTheFailoverNeverRevivesTheEntryCachedBeforeTheWrite() {
        try (App a = app.startSibling(cluster::use); App b = app.startSibling(cluster::use)) {
            String prefix = ResponseCache.keyPrefix(cluster.use(app.config).redis(), app.config.cache()); // in braces
            MasterWithReplica holder = cluster.holderOf(JedisClusterCRC16.getSlot(prefix + "generation"));
            RedisLostBump.aBumpLostInTheFailoverNeverRevivesTheEntryCachedBeforeTheWrite("cluster", a, b, prefix, holder);
        }
    }
}
