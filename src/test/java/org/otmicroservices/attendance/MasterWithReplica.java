package org.otmicroservices.attendance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Redis master that holds the cache's keys and its one replica, as RedisLostBump drives them: the Sentinel set's
 * pair (RedisSentinelSet), or a cluster's master of the cache's slot and its replica (RedisClusterSet.holderOf).
 */
interface MasterWithReplica {
    /** host:port of the master (before the failover). */
    String master();

    /** host:port of its replica, the one promoted. */
    String replica();

    /** A key's value read on that node itself (a replica answers reads too); "" when absent. */
    String get(String node, String key);

    /** Whether that node itself holds the key (a cache entry, whose value is not text). */
    boolean has(String node, String key);

    /** A key set on the master. */
    void setOnMaster(String key, String value);

    /** Whether the replica has seen its link to the master go down (INFO replication). */
    boolean replicaSeesMasterGone();

    /** Sends the replica a signal by name (STOP, CONT), as `kill -NAME pid` does. */
    void signalReplica(String name);

    /** Bytes of the replication stream the master holds for the replica, unsent to the kernel; -1 without a replica. */
    long unsentToReplica();

    /** The master killed with SIGKILL: no shutdown, nothing more sent to the replica. */
    void killMaster();

    /** Waits until the replica is the master. */
    void awaitPromotion();

    /** kill -NAME of a server's process, run from dir. */
    static void signal(Path dir, Process p, String name) {
        ToolRun.Result r = ToolRun.run(dir.resolve("cli"), "kill-" + System.nanoTime(), Duration.ofSeconds(10),
                List.of("kill", "-" + name, Long.toString(p.pid())));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("kill -" + name + " of " + p.pid() + ": " + r.output());
        }
    }

    /**
     * unsentToReplica from a master's CLIENT LIST TYPE replica: omem, which counts from the start of the buffer block
     * being sent (a block is 16 KiB, or one write when that is larger), so it exceeds what is unsent by less than one
     * block; -1 when the master lists no replica.
     */
    static long unsent(String clientList) {
        Matcher m = Pattern.compile("omem=(\\d+)").matcher(clientList);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
