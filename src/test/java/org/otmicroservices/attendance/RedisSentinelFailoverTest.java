package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    @Test
    void theMasterKilledUnderLoadNoClientErrorTheCacheBackWithin5sAndNoStaleRead() throws Exception {
        try (App writer = app.startSibling(set::use);
             App reader = app.startSibling(set::use)) {
            RedisFailover.underLoad("sentinel", writer, reader, "127.0.0.1:" + set.masterPort, () -> {
                set.killMaster();
                set.awaitPromotion();
                return "127.0.0.1:" + set.replicaPort;
            });
        }
    }

    @Test
    void anInstanceStartsAndServesWhileNoSentinelAnswers() {
        int nobody = Ports.free();
        try (App lonely = app.startSibling(c -> TestConfigs.with(c, "redis.sentinel",
                Map.of("master", RedisSentinelSet.MASTER_NAME, "nodes", List.of("127.0.0.1:" + nobody), "password", "")))) {
            HttpResponse<String> detail = Http.get(RedisFailover.base(lonely) + "/health/detail");
            assertEquals(200, detail.statusCode(), detail.body());
            assertTrue(detail.body().contains("\"redis\":\"down\""), detail.body());
            assertEquals(200, Http.get(RedisFailover.base(lonely) + "/search/all").statusCode());
        }
    }
}
