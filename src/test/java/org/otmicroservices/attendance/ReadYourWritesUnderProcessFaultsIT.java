package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.otmicroservices.attendance.config.Config;

/**
 * Read-your-writes when an instance stalls or dies, with the jar as processes on one PostgreSQL and one Redis (one
 * config.yaml, a port each through SERVER_PORT, as the systemd unit runs them). An instance stopped while another
 * writes must, once it resumes, answer its first reads current, though it held copies of them; an instance killed
 * while holding copies must neither hold up the others' writes past a bound nor leave a stale read anywhere.
 */
class ReadYourWritesUnderProcessFaultsIT {
    /** The longest a write may take while another instance is stalled or gone (see ResponseCache). */
    private static final Duration WRITE_BOUND = Duration.ofSeconds(1);
    private static final Duration STALL = Duration.ofSeconds(2);
    private static final int PAIRS = 300;
    /** The reader's link to Redis after the kill: a second zone, since on loopback its reads could hardly fail. */
    private static final Duration READER_LINK_DELAY = Duration.ofMillis(2);
    private static final Duration START = Duration.ofSeconds(90);

    @RegisterExtension
    static final JarProcess.Launcher jar = new JarProcess.Launcher();

    @Test
    void anInstanceStoppedWhileAnotherWritesAnswersItsFirstReadsAfterResumingWithThoseWrites(@TempDir Path dir) {
        sharedConfig(dir);
        JarProcess a = serve(dir, Map.of());
        JarProcess b = serve(dir, Map.of());
        awaitHealthy(a, b);
        String viaA = a.url("");
        ReadYourWrites.Tally tally = new ReadYourWrites.Tally();
        // The records that the PUT and the DELETE during the stall change, in place before B reads.
        ReadYourWrites.Write toUpdate = ReadYourWrites.Write.create();
        ReadYourWrites.Write toDelete = ReadYourWrites.Write.create();
        ReadYourWrites.write(viaA, toUpdate, tally);
        ReadYourWrites.write(viaA, toDelete, tally);
        List<ReadYourWrites.Write> duringStall = List.of(ReadYourWrites.Write.create(),
                ReadYourWrites.Write.put(toUpdate.after()), ReadYourWrites.Write.delete(toDelete.after()),
                ReadYourWrites.Write.bulk());
        ReadYourWrites.warm(b.url(""), duringStall);

        b.signal("STOP");
        long stoppedAt = System.nanoTime();
        duringStall.forEach(w -> ReadYourWrites.write(viaA, w, tally));
        Poll.sleep(Math.max(0, STALL.toMillis() - Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis()));
        // Sent while B is stopped, they wait in its sockets: the first thing it serves once it resumes, racing
        // whatever it does itself on waking.
        CompletableFuture<Void> firstReads = ReadYourWrites.read(b.url(""), duringStall, tally);
        Poll.sleep(100);
        assertFalse(firstReads.isDone(), "B answered while stopped");
        b.signal("CONT");
        firstReads.join();

        System.out.println("ReadYourWritesUnderProcessFaultsIT: B stopped " + STALL.toMillis() + " ms: " + tally);
        assertEquals(0, tally.stale(), "B stopped for " + STALL.toMillis() + " ms: " + tally);
        assertWritesWithinTheBound(tally);
    }

    @Test
    void anInstanceKilledWhileHoldingCopiesHoldsUpNoWriteAndLeavesNoStaleRead(@TempDir Path dir) {
        Config config = sharedConfig(dir);
        try (FaultProxy proxy = FaultProxy.to(config.redis().host(), config.redis().port())) {
            JarProcess a = serve(dir, Map.of());
            JarProcess b = serve(dir, Map.of("REDIS_HOST", proxy.host(), "REDIS_PORT", String.valueOf(proxy.port())));
            JarProcess c = serve(dir, Map.of());
            awaitHealthy(a, b, c);
            ReadYourWrites.Writes writes = new ReadYourWrites.Writes();
            ReadYourWrites.warm(c.url(""), List.of(writes.peek())); // C holds copies of what the first write changes
            c.signal("KILL");
            assertEquals(137, c.awaitExit(Duration.ofSeconds(10)), "killed by SIGKILL (128 + 9)");

            proxy.delay(READER_LINK_DELAY);
            ReadYourWrites.Tally tally = ReadYourWrites.pairs(a.url(""), b.url(""), writes, PAIRS);
            System.out.println("ReadYourWritesUnderProcessFaultsIT: C killed, B's Redis link delayed "
                    + READER_LINK_DELAY.toMillis() + " ms: " + tally);
            assertEquals(0, tally.stale(), "C killed: " + tally);
            assertWritesWithinTheBound(tally);
        }
    }

    private static void assertWritesWithinTheBound(ReadYourWrites.Tally tally) {
        assertTrue(tally.slowestWrite().compareTo(WRITE_BOUND) <= 0,
                "a write took " + tally.slowestWrite().toMillis() + " ms, over " + WRITE_BOUND.toMillis() + " ms: " + tally);
    }

    /** dir/config.yaml on a fresh database and key prefix, migrated once before any instance starts (DEPLOYING.md). */
    private static Config sharedConfig(Path dir) {
        Config config = jar.config(jar.env.createDatabase());
        TestConfigs.write(dir, config);
        App.connectAndMigrate(config.postgres()).close();
        return config;
    }

    /** An instance of dir/config.yaml on a port of its own, with some keys overridden through the environment. */
    private static JarProcess serve(Path dir, Map<String, String> environment) {
        int port = Ports.free();
        Map<String, String> env = new HashMap<>(environment);
        env.put("SERVER_PORT", String.valueOf(port));
        return jar.serve(dir, port, env);
    }

    /** Started together, so they boot side by side. */
    private static void awaitHealthy(JarProcess... instances) {
        for (JarProcess instance : instances) {
            instance.awaitHealthy(START);
        }
    }
}
