package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.otmicroservices.attendance.config.Config;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Redis with Sentinel from Debian's redis-server on free loopback ports: a master, one replica and three sentinels
 * (quorum 2, the master down after 1 s). A test can stop the replica (SIGSTOP) and continue it, and ask how many
 * bytes of the replication stream the master still holds unsent: what it takes to make a failover lose the last
 * writes (RedisSentinelLostBumpTest). A proxy on the replication link cannot: the sentinels see the replica follow an
 * address that is not the master's and point it straight at the master ("+fix-slave-config").
 */
final class RedisSentinelSet implements RedisTopology, MasterWithReplica {
    static final String MASTER_NAME = "mymaster";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    final int masterPort = Ports.free();
    final int replicaPort = Ports.free();
    private Process master;
    private Process replica;

    private RedisSentinelSet(Path dir) {
        this.dir = dir;
    }

    private void boot() throws IOException {
        master = redis("master", masterPort);
        replica = redis("replica", replicaPort, "--replicaof", "127.0.0.1", Integer.toString(masterPort));
        for (int i = 0; i < 3; i++) {
            int port = Ports.free();
            Path conf = dir.resolve("sentinel" + i + ".conf");
            // Sentinels rewrite their file as they learn the set: each has its own, writable.
            Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\nsentinel monitor " + MASTER_NAME + " 127.0.0.1 "
                    + masterPort + " 2\nsentinel down-after-milliseconds " + MASTER_NAME + " 1000\nsentinel failover-timeout "
                    + MASTER_NAME + " 5000\n");
            processes.add(new ProcessBuilder("redis-server", conf.toString(), "--sentinel")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel" + i + ".log").toFile()).start());
            sentinelPorts.add(port);
        }
        for (int port : sentinelPorts) {
            Poll.until("sentinel on " + port + " listening", WAIT, () -> !Ports.refuses(port));
        }
        Poll.until("the replica in sync", WAIT, () -> cli(replicaPort, "INFO", "replication").contains("master_link_status:up"));
        Poll.until("the sentinels knowing each other", WAIT,
                () -> cli(sentinelPorts.get(0), "SENTINEL", "ckquorum", MASTER_NAME).startsWith("OK"));
    }

    /** Started and in sync, logs and sentinel files in dir; close() stops every process. */
    static RedisSentinelSet start(Path dir) {
        RedisSentinelSet set = new RedisSentinelSet(dir);
        try {
            set.boot();
            return set;
        } catch (IOException e) {
            set.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            set.close();
            throw e;
        }
    }

    private Process redis(String name, int port, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
        processes.add(p);
        Poll.until(name + " listening", WAIT, () -> !Ports.refuses(port));
        return p;
    }

    @Override
    public Config use(Config c) {
        List<String> nodes = sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList();
        return TestConfigs.with(c, "redis.sentinel", Map.of("master", MASTER_NAME, "nodes", nodes, "password", ""));
    }

    int sentinelPort(int i) {
        return sentinelPorts.get(i);
    }

    @Override
    public String master() {
        return "127.0.0.1:" + masterPort;
    }

    @Override
    public String replica() {
        return "127.0.0.1:" + replicaPort;
    }

    @Override
    public String get(String node, String key) {
        return cli(HostAndPort.from(node).getPort(), "GET", key).strip();
    }

    @Override
    public boolean has(String node, String key) {
        return cli(HostAndPort.from(node).getPort(), "EXISTS", key).strip().equals("1");
    }

    @Override
    public void setOnMaster(String key, String value) {
        try (Jedis j = new Jedis("127.0.0.1", masterPort)) {
            j.set(key, value);
        }
    }

    @Override
    public boolean replicaSeesMasterGone() {
        return cli(replicaPort, "INFO", "replication").contains("master_link_status:down");
    }

    @Override
    public void killMaster() {
        master.destroyForcibly();
        Poll.until("the master gone", WAIT, () -> !master.isAlive());
    }

    @Override
    public void signalReplica(String name) {
        MasterWithReplica.signal(dir, replica, name);
    }

    @Override
    public long unsentToReplica() {
        return MasterWithReplica.unsent(cli(masterPort, "CLIENT", "LIST", "TYPE", "replica"));
    }

    /** Waits until the sentinels name the replica as the master. */
    @Override
    public void awaitPromotion() {
        Poll.until("the sentinels promoting the replica", WAIT,
                () -> cli(sentinelPort(0), "SENTINEL", "get-master-addr-by-name", MASTER_NAME).contains(Integer.toString(replicaPort)));
    }

    /** One redis-cli command's output (empty when it fails). */
    String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        ToolRun.Result r = ToolRun.run(dir.resolve("cli"), "cli-" + System.nanoTime(), Duration.ofSeconds(10), command);
        return r.exitCode() == 0 ? r.output() : "";
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly); // SIGKILL ends a stopped replica too
    }
}
