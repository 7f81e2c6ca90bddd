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
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The ResponseCache on Redis: entries shared by every instance, and Redis never slowing or failing a request.
 *
 * Read-your-writes: each entry is stored with the cache generation read before the database was queried; a
 * write bumps the generation (INCR) before it answers, so every instance ignores older entries at once.
 * One script (LOOKUP) reads generation and entry together, one round trip. When Redis fails, a breaker skips it
 * and a background probe closes the breaker once Redis answers PING again.
 *
 * Across a failover (Sentinel or Cluster; also a Redis restarted empty): replication is asynchronous, so the new
 * master may hold an older generation than the last one instances read, bumped or leased, while older entries
 * survive; an entry stored under a generation that comes round again would look current. So no generation comes
 * round again: every script that reads or bumps the generation (LOOKUP, and Leases's RENEW, BUMP, PENDING) first
 * compares the master's own replication id (INFO's master_replid, which a promotion changes) with the one stored
 * beside the generation, and on a difference (a master that has not yet fenced) sets the generation to Redis's
 * clock in microseconds, before it reads it, in the same atomic script. Every generation an earlier master gave
 * out is at most its own fence value plus the bumps since, below the new one as long as there were fewer bumps
 * than microseconds between the two fences (writes commit to PostgreSQL first: far fewer) and the new master's
 * clock is not behind the old one's by more than that time (the failover alone takes seconds). Then: an entry
 * kept on the new master, or stored there by an instance that read an older generation, is under a smaller
 * generation and misses; a copy kept in an instance's memory is trusted only under a lease that Redis grants on
 * the current generation (Leases), which no copy of the old master's time carries. The fence is replicated like any
 * write; if a second failover loses it, the next master fences again. The subscription (GenerationWatch) and the
 * pooled client follow the new master through Jedis's own Sentinel and Cluster clients; until they do, lookups
 * fail and are served from PostgreSQL (fail-open).
 *
 * Hits are also kept in the JVM (NearCache), so a hot entry costs no Redis round trip at all. A kept copy is
 * served only under a lease on its generation, and a write is answered only once every other instance has
 * acknowledged the new generation or its lease has run out: Leases states the rule and why read-your-writes
 * across instances then holds on any network.
 */
final class RedisResponseCache implements ResponseCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisResponseCache.class);
    private static final long PROBE_INTERVAL_MS = 500;

    private final UnifiedJedis redis;
    private final Config.Redis where;
    private final Config.Cache config;
    private final Metrics metrics;
    /**
     * KEYS[1] the generation, KEYS[2] its replication id, KEYS[3] the entry: fences (Leases.FENCE), then returns the
     * generation and the entry.
     */
    private static final Leases.Script LOOKUP = new Leases.Script(Leases.FENCE
            + "return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[3])}\n");

    private final String prefix;
    private final byte[] generationKey;
    private final byte[] replidKey;
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

    /**
     * subscriber: the client of the generation pushes, closed with the cache (unused with the cache off). where: the
     * configured Redis, whose mode decides the key prefix (ResponseCache.keyPrefix).
     */
    RedisResponseCache(UnifiedJedis redis, UnifiedJedis subscriber, Config.Redis where, Config.Cache config, Metrics metrics) {
        this.redis = redis;
        this.where = where;
        this.config = config;
        this.metrics = metrics;
        this.prefix = ResponseCache.keyPrefix(where, config);
        String generation = prefix + "generation";
        this.generationKey = generation.getBytes(StandardCharsets.UTF_8);
        this.replidKey = (prefix + "replid").getBytes(StandardCharsets.UTF_8);
        this.leases = new Leases(redis, generation, prefix + "replid", prefix + "leases", prefix + "generations",
                config.enabled());
        if (config.enabled()) {
            this.watch = new GenerationWatch(subscriber, prefix + "generations", leases::heard, leases::askRenewal);
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
            List<?> values = LOOKUP.runBinary(redis, List.of(generationKey, replidKey, entryKey(key)), List.of());
            long generation = Long.parseLong(new String((byte[]) values.get(0), StandardCharsets.US_ASCII));
            leases.heard(generation);
            Lookup lookup = Lookup.of(values.size() > 1 ? (byte[]) values.get(1) : null, generation);
            if (lookup.hit()) {
                metrics.cacheHit();
                near.put(key, generation, lookup); // served only under a lease on this generation
            } else {
                metrics.cacheMiss();
            }
            return lookup;
        } catch (JedisException | NumberFormatException | ClassCastException e) {
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
            ping();
            return true;
        } catch (JedisException e) {
            trip(e);
            return false;
        }
    }

    /**
     * A PING to the master that holds the cache's keys. On a cluster Jedis sends PING to every node it knows, and
     * a master that was failed over stays known, so it would fail for good after the first failover (the breaker
     * never closing, health/detail down); EXISTS on the generation goes to the slot's master, through the client
     * that follows the failover.
     */
    private void ping() {
        if (redis instanceof RedisClusterClient) {
            redis.exists(generationKey);
        } else {
            redis.ping();
        }
    }

    @Override
    public String mode() {
        return where.mode();
    }

    @Override
    public String master() {
        try {
            return RedisConnections.master(redis, where, generationKey);
        } catch (JedisException e) {
            return null;
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
            ping();
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
        return (prefix + "entry:" + key).getBytes(StandardCharsets.UTF_8);
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
