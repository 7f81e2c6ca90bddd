package org.otmicroservices.attendance.cache;

import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.util.Causes;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/** The Jedis clients of the service: the pooled one the cache runs on, and check-config's one-off PING. */
public final class RedisConnections {
    private RedisConnections() {}

    /** Short time-outs everywhere (Jedis defaults: 2 s, and wait forever for a pooled connection). */
    static RedisClient pool(Config.Redis config) {
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
    static RedisClient subscriber(Config.Redis config) {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(1);
        return client(config, Math.max(1000, config.timeoutMs()), "attendance-api-generations", pool);
    }

    /** Redis's answer to one PING with the given time-out; throws UnreachableException naming why there is none. */
    public static String ping(Config.Redis config, int timeoutMs) {
        try (RedisClient redis = client(config, timeoutMs, "attendance-api-check", new GenericObjectPoolConfig<>())) {
            return redis.ping();
        } catch (JedisException e) {
            throw new UnreachableException(Causes.rootMessage(e));
        }
    }

    /** Redis did not answer, or refused the login. */
    public static final class UnreachableException extends RuntimeException {
        UnreachableException(String message) {
            super(message);
        }
    }

    private static RedisClient client(Config.Redis config, int timeoutMs, String name, GenericObjectPoolConfig<Connection> pool) {
        return RedisClient.builder()
                .hostAndPort(config.host(), config.port())
                .clientConfig(DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(timeoutMs)
                        .socketTimeoutMillis(timeoutMs)
                        .password(config.password())
                        .clientName(name)
                        .build())
                .poolConfig(pool)
                .build();
    }
}
