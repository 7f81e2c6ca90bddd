package org.otmicroservices.attendance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.otmicroservices.attendance.config.Config;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

/** A three-master Redis Cluster from Debian's redis-server on free loopback ports, made with redis-cli --cluster create. */
final class RedisClusterSet implements RedisTopology {
    private final List<Process> nodes = new ArrayList<>();
    final List<String> addresses = new ArrayList<>();

    private RedisClusterSet() {}

    private void boot(Path dir) throws IOException, InterruptedException {
        for (int i = 0; i < 3; i++) {
            int port = Ports.free();
            Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
            nodes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-port", Integer.toString(Ports.free()),
                    "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(), "--dir", nodeDir.toString(),
                    "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true).redirectOutput(nodeDir.resolve("log").toFile()).start());
            addresses.add("127.0.0.1:" + port);
        }
        for (String a : addresses) {
            int port = HostAndPort.from(a).getPort();
            Poll.until("cluster node " + a + " listening", Duration.ofSeconds(30), () -> !Ports.refuses(port));
        }
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        create.addAll(addresses);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
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
    }

    /** Started and serving every slot, node files and logs in dir; close() stops every node. */
    static RedisClusterSet start(Path dir) {
        RedisClusterSet set = new RedisClusterSet();
        try {
            set.boot(dir);
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

    @Override
    public Config use(Config c) {
        return TestConfigs.with(c, "redis.cluster", Map.of("nodes", List.copyOf(addresses)));
    }

    @Override
    public void close() {
        nodes.forEach(Process::destroyForcibly);
    }
}
