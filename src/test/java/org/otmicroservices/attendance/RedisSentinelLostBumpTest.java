package org.otmicroservices.attendance;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real Sentinel failover that loses the last generation bump (RedisLostBump): no read shows the entry from before the write. */
class RedisSentinelLostBumpTest {
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
    void aBumpLostInTheFailoverNeverRevivesTheEntryCachedBeforeTheWrite() {
        try (App a = app.startSibling(set::use); App b = app.startSibling(set::use)) {
            // as configured: only a cluster puts the prefix in braces
            RedisLostBump.aBumpLostInTheFailoverNeverRevivesTheEntryCachedBeforeTheWrite("sentinel", a, b,
                    app.config.cache().keyPrefix(), set);
        }
    }
}
