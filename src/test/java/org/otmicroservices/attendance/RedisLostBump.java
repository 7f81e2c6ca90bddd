package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;

/**
 * A real failover that loses the last generation bump, as both HA Redis modes are held to it
 * (RedisSentinelLostBumpTest, RedisClusterLostBumpTest). Instance B caches a record and the replica receives that entry
 * and its generation; the replica is stopped (SIGSTOP) and the master is written to until its kernel buffers towards
 * the replica are full and it holds megabytes of the replication stream itself; a write through instance A then bumps
 * the generation behind those megabytes, so it cannot reach the replica before the master is killed (SIGKILL). The
 * replica is continued at once, so it can be promoted (a stopped one never is): it holds the entry beside the very
 * generation it was stored under. Reads through B and A must show the write. What this proves: they do only because
 * every script fences on a new master's replication id (RedisResponseCache); with the fence removed from Leases.FENCE
 * the Sentinel test fails, B serving the entry cached before the write.
 */
final class RedisLostBump {
    private static final String V1 = "/api/v1/attendance";

    /**
     * What the master must hold unsent for a write to be beyond the replica's reach: with 1 MiB filler writes a
     * buffer block is at most 1.25 MiB (jemalloc's size class), so at least 2.75 MiB of the stream are unsent, the
     * end of it with the write.
     */
    private static final long HELD = 4 << 20;

    private RedisLostBump() {}

    /** prefix: the cache's key prefix as the instances use it (a cluster's in braces). Prints what it measured. */
    static void aBumpLostInTheFailoverNeverRevivesTheEntryCachedBeforeTheWrite(String what, App a, App b, String prefix,
                                                                              MasterWithReplica set) {
        for (App x : List.of(a, b)) {
            Poll.until("the cache on the first master", RedisFailover.WAIT, () -> RedisFailover.cachesOn(x, set.master()));
        }
        String generation = prefix + "generation";
        String entry = prefix + "entry:" + V1 + "/search?id=lost";
        assertEquals(200, Http.send(Http.request("POST", RedisFailover.base(a) + "/create", "application/json",
                TestApp.record("lost", "Ada", "Before", "2023-01-02"))).statusCode());
        assertEquals("Before", status(b, "lost"));
        Poll.until("B's answer stored on the master", RedisFailover.WAIT, () -> set.has(set.master(), entry));
        assertEquals("Before", status(b, "lost")); // a hit now
        Poll.until("the entry and its generation on the replica", RedisFailover.WAIT,
                () -> set.has(set.replica(), entry)
                        && set.get(set.replica(), generation).equals(set.get(set.master(), generation)));
        String storedUnder = set.get(set.replica(), generation);

        set.signalReplica("STOP");
        fillTheReplicationBuffer(set, prefix);
        HttpResponse<String> put = Http.send(Http.request("PUT", RedisFailover.base(a) + "/lost", "application/json",
                TestApp.record("lost", "Ada", "After", "2023-01-02")));
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("After", status(b, "lost"), "before the failover");
        String bumped = set.get(set.master(), generation);
        assertTrue(Long.parseLong(bumped) > Long.parseLong(storedUnder), bumped + " after " + storedUnder);
        long unsent = set.unsentToReplica();
        assertTrue(unsent >= HELD, "the bump queued behind " + unsent + " bytes the replica has not been sent");

        long killed = System.nanoTime();
        set.killMaster(); // with the bump still in its memory
        set.signalReplica("CONT");
        Poll.until("the replica to read what it had been sent, then see the master gone", RedisFailover.WAIT,
                set::replicaSeesMasterGone);
        assertEquals(storedUnder, set.get(set.replica(), generation), "the replica lost the bump");
        set.awaitPromotion();
        long promotedMs = (System.nanoTime() - killed) / 1_000_000;
        assertTrue(set.has(set.replica(), entry), "the entry from before the write survived");
        for (App x : List.of(a, b)) {
            Poll.until("the cache on the promoted replica", RedisFailover.WAIT, () -> RedisFailover.cachesOn(x, set.replica()));
        }
        long backMs = (System.nanoTime() - killed) / 1_000_000 - promotedMs;
        for (int i = 0; i < 20; i++) {
            assertEquals("After", status(b, "lost"), "read " + i + " through B after the failover");
            assertEquals("After", status(a, "lost"), "read " + i + " through A after the failover");
        }
        System.out.printf("%s lost bump: generation %s on the replica, %s on the master when it was killed (%d KiB"
                + " unsent to the replica), %s on the promoted replica after the reads; promoted %d ms after the kill,"
                + " both instances on it %d ms later; 40 reads, 0 stale%n", what, storedUnder, bumped, unsent >> 10,
                set.get(set.replica(), generation), promotedMs, backMs);
    }

    /**
     * Writes 1 MiB values to the master (under the cache's prefix: on a cluster, the same slot) until it holds HELD
     * bytes of the stream that the stopped replica's kernel has no room for (loopback buffers take a few MiB); gives
     * up after 128 MiB, below the replica's output buffer limit (256 MiB), so the link stays up.
     */
    private static void fillTheReplicationBuffer(MasterWithReplica set, String prefix) {
        String mib = "x".repeat(1 << 20);
        for (int i = 0; set.unsentToReplica() < HELD; i++) {
            assertTrue(i < 128, "the master sent 128 MiB to a stopped replica?");
            set.setOnMaster(prefix + "filler:" + i, mib);
        }
    }

    private static String status(App a, String id) {
        HttpResponse<String> r = Http.get(RedisFailover.base(a) + "/search?id=" + id);
        assertEquals(200, r.statusCode(), r.body());
        return r.body().replaceAll(".*\"status\":\"([^\"]*)\".*", "$1").strip();
    }
}
