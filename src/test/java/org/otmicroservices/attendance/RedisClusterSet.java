package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.otmicroservices.attendance.config.Config;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.args.ClientType;

/**
 * A three-master Redis Cluster from Debian's redis-server on free loopback ports, made with redis-cli --cluster
 * create; with replicas, each master has one, and a master that stops answering for 2 s (cluster-node-timeout) is
 * failed over to it.
 */
final class RedisClusterSet implements RedisTopology {
    private final Path dir;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    /** Every node: the nodes the service is configured with. */
    final List<String> addresses = new ArrayList<>();

    private RedisClusterSet(Path dir) {
        this.dir = dir;
    }

    private void boot(int replicasPerMaster) throws IOException, InterruptedException {
        for (int i = 0; i < 3 * (1 + replicasPerMaster); i++) {
            int port = Ports.free();
            Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
            String address = "127.0.0.1:" + port;
            nodes.put(address, new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-port", Integer.toString(Ports.free()),
                    "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(), "--dir", nodeDir.toString(),
                    "--cluster-node-timeout", replicasPerMaster > 0 ? "2000" : "15000", "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(nodeDir.resolve("log").toFile()).start());
            addresses.add(address);
        }
        for (String a : addresses) {
            int port = HostAndPort.from(a).getPort();
            Poll.until("cluster node " + a + " listening", Duration.ofSeconds(30), () -> !Ports.refuses(port));
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        create.addAll(addresses);
        create.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
        Path log = dir.resolve("create.log");
        Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed:\n" + Files.readString(log));
        }
        try (RedisClusterClient c = client()) {
            Poll.until("cluster serving writes", Duration.ofSeconds(30), () -> {
                try {
                    c.set("{probe}x", "1");
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }
        for (String node : addresses) {
            Poll.until("the replicas in sync", Duration.ofSeconds(60), () -> {
                try (Jedis j = new Jedis(HostAndPort.from(node))) {
                    String info = j.info("replication");
                    return info.contains("role:master") || info.contains("master_link_status:up");
                }
            });
        }
    }

    /** Three masters, started and serving every slot, node files and logs in dir; close() stops every node. */
    static RedisClusterSet start(Path dir) {
        return start(dir, 0);
    }

    /** The same with one replica per master, in sync. */
    static RedisClusterSet startWithReplicas(Path dir) {
        return start(dir, 1);
    }

    private static RedisClusterSet start(Path dir, int replicasPerMaster) {
        RedisClusterSet set = new RedisClusterSet(dir);
        try {
            set.boot(replicasPerMaster);
            return set;
        } catch (IOException e) {
            set.close();
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            set.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (RuntimeException | Error e) {
            set.close();
            throw e;
        }
    }

    /** A cluster client of the test's own, to set keys as a failed-over node would hold them. */
    RedisClusterClient client() {
        return RedisClusterClient.create(HostAndPort.from(addresses.get(0)));
    }

    /**
     * host:port of the master serving a slot, as a live node sees it (CLUSTER NODES: a master not flagged fail whose
     * ranges hold the slot), or null while none does.
     */
    String masterOf(int slot) {
        for (Map.Entry<String, Process> node : nodes.entrySet()) {
            if (!node.getValue().isAlive()) {
                continue;
            }
            try (Jedis j = new Jedis(HostAndPort.from(node.getKey()))) {
                for (String line : j.clusterNodes().split("\n")) {
                    String[] f = line.strip().split(" ");
                    if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                        continue;
                    }
                    for (int i = 8; i < f.length; i++) {
                        String[] range = f[i].split("-");
                        if (!range[0].startsWith("[") && Integer.parseInt(range[0]) <= slot
                                && slot <= Integer.parseInt(range[range.length - 1])) {
                            return f[1].substring(0, f[1].indexOf('@'));
                        }
                    }
                }
                return null;
            } catch (RuntimeException e) {
                // this node is not answering: ask the next
            }
        }
        return null;
    }

    /**
     * The master serving a slot now and its replica (the port its INFO replication names), for a failover that
     * loses that master's last writes (RedisClusterLostBumpTest).
     */
    MasterWithReplica holderOf(int slot) {
        String master = masterOf(slot);
        Pattern online = Pattern.compile("slave0:ip=([^,]+),port=(\\d+),state=online");
        String replica = Poll.until(() -> "a replica online on " + master + ", master of slot " + slot, RedisFailover.WAIT, () -> {
            try (Jedis j = new Jedis(HostAndPort.from(master))) {
                Matcher m = online.matcher(j.info("replication"));
                return m.find() ? Optional.of(m.group(1) + ":" + m.group(2)) : Optional.empty();
            }
        });
        return new MasterWithReplica() {
            @Override
            public String master() {
                return master;
            }

            @Override
            public String replica() {
                return replica;
            }

            @Override
            public String get(String node, String key) {
                try (Jedis j = reading(node)) {
                    String value = j.get(key);
                    return value == null ? "" : value;
                }
            }

            @Override
            public boolean has(String node, String key) {
                try (Jedis j = reading(node)) {
                    return j.exists(key);
                }
            }

            private Jedis reading(String node) {
                Jedis j = new Jedis(HostAndPort.from(node));
                j.readonly(); // a cluster replica redirects reads of its master's slots (MOVED) without it; a master ignores it
                return j;
            }

            @Override
            public void setOnMaster(String key, String value) {
                try (Jedis j = new Jedis(HostAndPort.from(master))) {
                    j.set(key, value);
                }
            }

            @Override
            public boolean replicaSeesMasterGone() {
                try (Jedis j = new Jedis(HostAndPort.from(replica))) {
                    return j.info("replication").contains("master_link_status:down");
                }
            }

            @Override
            public void signalReplica(String name) {
                MasterWithReplica.signal(dir, nodes.get(replica), name);
            }

            @Override
            public long unsentToReplica() {
                try (Jedis j = new Jedis(HostAndPort.from(master))) {
                    return MasterWithReplica.unsent(j.clientList(ClientType.REPLICA));
                }
            }

            @Override
            public void killMaster() {
                kill(master);
            }

            @Override
            public void awaitPromotion() {
                Poll.until("the cluster promoting " + replica + " for slot " + slot, RedisFailover.WAIT,
                        () -> replica.equals(masterOf(slot)));
            }
        };
    }

    /** One node killed with SIGKILL. */
    void kill(String address) {
        Process p = nodes.get(address);
        p.destroyForcibly();
        Poll.until(address + " gone", Duration.ofSeconds(30), () -> !p.isAlive());
    }

    @Override
    public Config use(Config c) {
        return TestConfigs.with(c, "redis.cluster", Map.of("nodes", List.copyOf(addresses)));
    }

    @Override
    public void close() {
        nodes.values().forEach(Process::destroyForcibly);
    }
}
