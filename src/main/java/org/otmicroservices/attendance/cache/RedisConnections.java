package org.otmicroservices.attendance.cache;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.util.Causes;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The Jedis clients of the service, for each mode Jedis's own client: RedisClient (one node), RedisSentinelClient
 * (asks the sentinels for the master and switches to a new one when they announce it), RedisClusterClient (routes
 * each command by its key's slot). The pooled one the cache runs on, its Pub/Sub one, and check-config's PING.
 */
public final class RedisConnections {
    private RedisConnections() {}

    /** Short time-outs everywhere (Jedis defaults: 2 s, and wait forever for a pooled connection). */
    static UnifiedJedis pool(Config.Redis config) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(config.poolSize());
        pool.setMaxIdle(config.poolSize());
        pool.setMaxWait(Duration.ofMillis(config.timeoutMs()));
        return client(config, config.timeoutMs(), "attendance-api", pool);
    }

    /**
     * One connection for a Pub/Sub subscription, which holds it for good. Its reads wait for pushes, so its time-out
     * is a second (kept busy by PINGs: GenerationWatch), not the request time-out.
     */
    static UnifiedJedis subscriber(Config.Redis config) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(1);
        return client(config, Math.max(1000, config.timeoutMs()), "attendance-api-generations", pool);
    }

    /** Redis's answer to one PING with the given time-out; throws UnreachableException naming why there is none. */
    public static String ping(Config.Redis config, int timeoutMs) {
        try (UnifiedJedis redis = client(config, timeoutMs, "attendance-api-check", new GenericObjectPoolConfig<>())) {
            String pong = redis.ping();
            return redis instanceof RedisSentinelClient s ? pong + ", master " + s.getCurrentMaster() : pong;
        } catch (JedisException e) {
            throw new UnreachableException(Causes.rootMessage(e));
        }
    }

    /**
     * One sentinel's or cluster node's own answer: the master a sentinel names, or a node's cluster_state; throws
     * UnreachableException when it does not answer or says the master or the cluster is not usable.
     */
    public static String checkNode(Config.Redis config, String node, int timeoutMs) {
        boolean sentinel = config.sentinel() != null;
        JedisClientConfig login = clientConfig(timeoutMs, sentinel ? config.sentinel().password() : config.password(),
                "attendance-api-check");
        try (Jedis jedis = new Jedis(HostAndPort.from(node), login)) {
            if (sentinel) {
                List<String> master = jedis.sentinelGetMasterAddrByName(config.sentinel().master());
                if (master == null || master.isEmpty()) {
                    throw new UnreachableException("knows no master named " + config.sentinel().master());
                }
                return "master " + config.sentinel().master() + " at " + String.join(":", master);
            }
            String state = jedis.clusterInfo().lines().filter(l -> l.startsWith("cluster_state:")).findFirst().orElse("").strip();
            if (!state.equals("cluster_state:ok")) {
                throw new UnreachableException("not a healthy cluster node (" + state + ")");
            }
            return state;
        } catch (JedisException e) {
            throw new UnreachableException(Causes.rootMessage(e));
        }
    }

    /** host:port of the master that serves key: Sentinel's current one, the cluster node holding its slot, or the node. */
    static String master(UnifiedJedis redis, Config.Redis config, byte[] key) {
        if (redis instanceof RedisSentinelClient sentinel) {
            return String.valueOf(sentinel.getCurrentMaster());
        }
        if (redis instanceof RedisClusterClient cluster) {
            try (Connection c = cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(key))) {
                // "Connection{id: 0x.., L:/127.0.0.1:40964 - R:/127.0.0.1:6379}": Jedis names the node only here
                java.util.regex.Matcher remote = java.util.regex.Pattern.compile("R:[^/\\s]*/([^}\\s]+)").matcher(c.toIdentityString());
                return remote.find() ? remote.group(1) : c.toIdentityString();
            }
        }
        return config.host() + ":" + config.port();
    }

    /** Redis did not answer, or refused the login. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(String message) {
            super(message);
        }
    }

    private static UnifiedJedis client(Config.Redis config, int timeoutMs, String name, GenericObjectPoolConfig<Connection> pool) {
        // commons-pool registers every pool as a JMX MBean by default, which starts the platform MBean server:
        // ~0.1 s of a start (docs/PERFORMANCE.md), for beans that nothing reads.
        pool.setJmxEnabled(false);
        JedisClientConfig node = clientConfig(timeoutMs, config.password(), name);
        if (config.sentinel() != null) {
            return RedisSentinelClient.builder()
                    .masterName(config.sentinel().master())
                    .sentinels(hostsAndPorts(config.sentinel().nodes()))
                    .sentinelClientConfig(clientConfig(timeoutMs, config.sentinel().password(), name + "-sentinel"))
                    .clientConfig(node)
                    .poolConfig(pool)
                    .build();
        }
        if (config.cluster() != null) {
            return RedisClusterClient.builder()
                    .nodes(hostsAndPorts(config.cluster().nodes()))
                    .clientConfig(node)
                    .poolConfig(pool)
                    .build();
        }
        return RedisClient.builder().hostAndPort(config.host(), config.port()).clientConfig(node).poolConfig(pool).build();
    }

    private static JedisClientConfig clientConfig(int timeoutMs, String password, String name) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMs)
                .socketTimeoutMillis(timeoutMs)
                .password(password)
                .clientName(name)
                .build();
    }

    private static Set<HostAndPort> hostsAndPorts(List<String> nodes) {
        return nodes.stream().map(HostAndPort::from).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
