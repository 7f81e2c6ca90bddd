package org.otmicroservices.attendance.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The ResponseCache on Redis: entries shared by every instance, and Redis never slowing or failing a request.
 *
 * Read-your-writes: each entry is stored with the cache generation read before the database was queried; a
 * write bumps the generation (INCR) before it answers, so every instance ignores older entries at once.
 * One MGET reads generation and entry together. When Redis fails, a breaker skips it and a background probe
 * closes the breaker once Redis answers PING again.
 *
 * Hits are also kept in the JVM (NearCache), so a hot entry costs no Redis round trip at all. A kept copy is
 * served only under a lease on its generation, and a write is answered only once every other instance has
 * acknowledged the new generation or its lease has run out: Leases states the rule and why read-your-writes
 * across instances then holds on any network.
 */
final class RedisResponseCache implements ResponseCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisResponseCache.class);
    private static final long PROBE_INTERVAL_MS = 500;

    private final RedisClient redis;
    private final Config.Cache config;
    private final Metrics metrics;
    private final byte[] generationKey;
    private final Leases leases;
    private final GenerationWatch watch; // null with the cache off
    private final NearCache near = new NearCache();
    private final AtomicBoolean open = new AtomicBoolean(false);
    // A write whose INCR failed must still invalidate once Redis is back, before the cache is trusted again.
    private final AtomicBoolean invalidationPending = new AtomicBoolean(false);
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "redis-probe");
        t.setDaemon(true);
        return t;
    });

    /** subscriber: the client of the generation pushes, closed with the cache (unused with the cache off). */
    RedisResponseCache(RedisClient redis, RedisClient subscriber, Config.Cache config, Metrics metrics) {
        this.redis = redis;
        this.config = config;
        this.metrics = metrics;
        String generation = config.keyPrefix() + "generation";
        this.generationKey = generation.getBytes(StandardCharsets.UTF_8);
        this.leases = new Leases(redis, generation, config.keyPrefix() + "leases", config.keyPrefix() + "generations",
                config.enabled());
        if (config.enabled()) {
            this.watch = new GenerationWatch(subscriber, config.keyPrefix() + "generations", leases::heard, leases::askRenewal);
        } else {
            this.watch = null;
            subscriber.close();
        }
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL_MS, PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public Lookup lookup(String key) {
        if (!config.enabled() || open.get()) {
            return Lookup.UNAVAILABLE;
        }
        long trusted = leases.trustedGeneration();
        Lookup kept = trusted < 0 ? null : near.get(key, trusted);
        if (kept != null) {
            metrics.cacheHit();
            metrics.nearCacheHit();
            return kept;
        }
        try {
            List<byte[]> values = redis.mget(generationKey, entryKey(key));
            long generation = values.get(0) == null ? 0 : Long.parseLong(new String(values.get(0), StandardCharsets.US_ASCII));
            leases.heard(generation);
            Lookup lookup = Lookup.of(values.get(1), generation);
            if (lookup.hit()) {
                metrics.cacheHit();
                near.put(key, generation, lookup); // served only under a lease on this generation
            } else {
                metrics.cacheMiss();
            }
            return lookup;
        } catch (JedisException | NumberFormatException e) {
            if (!poolExhausted(e)) {
                trip(e);
            }
            return Lookup.UNAVAILABLE;
        }
    }

    @Override
    public void store(String key, long generation, String link, byte[] body) {
        if (generation < 0 || open.get()) {
            return;
        }
        try {
            redis.setex(entryKey(key), config.ttlSeconds(), Lookup.entry(generation, link, body));
        } catch (JedisException e) {
            if (!poolExhausted(e)) {
                trip(e);
            }
        }
    }

    /**
     * Every pooled connection busy: Redis itself is fine, so a read just goes without the cache this once.
     * (Tripping here turned a burst of more requests than pooled connections into seconds without cache.)
     */
    private static boolean poolExhausted(Exception e) {
        return e.getCause() instanceof java.util.NoSuchElementException;
    }

    @Override
    public void invalidate() {
        // Even with this instance's cache off, others sharing the Redis may cache: always bump.
        if (open.get()) {
            invalidationPending.set(true);
        } else {
            try {
                leases.bump();
            } catch (JedisException e) {
                invalidationPending.set(true);
                trip(e);
            }
        }
    }

    /** False while the breaker is open. */
    @Override
    public boolean isUp() {
        if (open.get()) {
            return false;
        }
        try {
            redis.ping();
            return true;
        } catch (JedisException e) {
            trip(e);
            return false;
        }
    }

    private void trip(Exception e) {
        if (open.compareAndSet(false, true)) {
            metrics.cacheAvailable(false);
            LOG.warn("Redis failed ({}); serving from PostgreSQL without cache until it answers again", e.getMessage());
        }
    }

    private void probe() {
        if (!open.get()) {
            return;
        }
        try {
            redis.ping();
            if (invalidationPending.getAndSet(false)) {
                try {
                    leases.bump();
                } catch (JedisException e) {
                    invalidationPending.set(true);
                    throw e;
                }
            }
            open.set(false);
            metrics.cacheAvailable(true);
            LOG.info("Redis answers again; cache back in use");
        } catch (JedisException e) {
            // still down: keep skipping it
        } catch (RuntimeException e) {
            LOG.warn("Redis probe failed unexpectedly", e);
        }
    }

    /** "entry:", not the "response:" of builds before Lookup's format: instances of both never read each other's entries. */
    private byte[] entryKey(String key) {
        return (config.keyPrefix() + "entry:" + key).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        prober.shutdownNow();
        if (watch != null) {
            watch.close();
        }
        leases.close();
        redis.close();
    }
}
