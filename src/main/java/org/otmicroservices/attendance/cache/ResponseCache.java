package org.otmicroservices.attendance.cache;

import java.time.Duration;
import java.util.function.Supplier;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.metrics.Metrics;
import redis.clients.jedis.UnifiedJedis;

/**
 * The cache of 2xx GET responses shared by every instance through Redis. A lookup answers a hit, or the generation
 * to store the fresh response under; every committed write calls invalidate before it is answered. Redis failing
 * never fails or slows a request: lookups then miss and stores are skipped (RedisResponseCache says how, and why
 * read-your-writes holds across instances).
 */
public interface ResponseCache extends AutoCloseable {
    /** How long copies kept in memory may still be served once Redis stops answering (the lease; see Leases). */
    Duration KEPT_COPIES_TRUST = Leases.LEASE;

    /**
     * The response cache on the configured Redis; with cache.ttl_seconds 0 every lookup misses. On Sentinel or
     * Cluster it waits for the first sentinel or node to answer without holding up start-up (DeferredCache).
     */
    static ResponseCache connect(Config.Redis redis, Config.Cache cache, Metrics metrics) {
        Supplier<ResponseCache> connect = () -> {
            UnifiedJedis pool = RedisConnections.pool(redis);
            try {
                return new RedisResponseCache(pool, RedisConnections.subscriber(redis), redis, cache, metrics);
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        };
        return redis.sentinel() == null && redis.cluster() == null ? connect.get() : new DeferredCache(connect, redis.mode());
    }

    /**
     * The prefix of every key. On a cluster it is a hash tag ({attendance:}), unless it has one: generation, leases
     * and entries then share one slot, so a lookup stays one script on one node and the scripts keep their keys
     * together, as a cluster requires.
     */
    static String keyPrefix(Config.Redis redis, Config.Cache cache) {
        String prefix = cache.keyPrefix();
        return redis.cluster() != null && !prefix.matches(".*\\{[^}]+}.*") ? "{" + prefix + "}" : prefix;
    }

    /** For health/detail: single, sentinel or cluster. */
    String mode();

    /** For health/detail: host:port of the master the cache uses now (on a cluster: the one holding its slot), or null. */
    String master();

    /** key: the request's path and query string. */
    Lookup lookup(String key);

    /** Stores a response read after lookup gave this generation; link: its Link header, or null. */
    void store(String key, long generation, String link, byte[] body);

    /** Makes every instance stop serving every response cached so far; called after each committed write. */
    void invalidate();

    /** For health/detail: whether Redis answers, without waiting on a hung Redis. */
    boolean isUp();

    @Override
    void close();
}
