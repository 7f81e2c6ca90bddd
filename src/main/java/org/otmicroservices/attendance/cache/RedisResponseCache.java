package org.otmicroservices.attendance.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.otmicroservices.attendance.config.Config;
import org.otmicroservices.attendance.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The ResponseCache on Redis: entries shared by every instance, and Redis never slowing or failing a request.
 *
 * Read-your-writes: each entry is stored with the cache generation read before the database was queried; a
 * write bumps the generation (INCR) before it answers, so every instance ignores older entries at once.
 * One script (LOOKUP) reads generation and entry together, one round trip. When Redis fails, a breaker skips it
 * and a background probe closes the breaker once Redis answers PING again. A write never leaves its bump to
 * that interval: it probes at once and waits a bounded time (probeNow), so one timed-out request does not let
 * other instances serve what the write changed.
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
    private static final int PING_ATTEMPTS = 8;

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
    private final AtomicReference<CompletableFuture<Void>> nextProbe = new AtomicReference<>();
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
        if (!open.get()) {
            try {
                leases.bump();
                return;
            } catch (JedisException e) {
                trip(e);
            }
        }
        invalidationPending.set(true);
        probeNow();
    }

    /**
     * The write is committed, but the other instances may serve what it changed until the generation moves. An open
     * breaker often means only that one request timed out (a loaded host, a Redis pause): so probe now rather than
     * at the next interval, and wait for it, at most as long as a write waits for a stalled instance
     * (Leases.ACK_WAIT). If Redis answers, the probe bumps before the write is answered; if not, the write is
     * answered anyway (fail-open) and the bump stays pending.
     */
    private void probeNow() {
        try {
            queuedProbe().get(Leases.ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | RejectedExecutionException e) {
            // still down, or closing: the periodic probe bumps once Redis answers
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A probe that has not started yet, shared by the writes that arrive before it does (it starts after each of
     * them marked its bump pending), so a long outage queues one probe, not one per write.
     */
    private CompletableFuture<Void> queuedProbe() {
        while (true) {
            CompletableFuture<Void> queued = nextProbe.get();
            if (queued != null) {
                return queued;
            }
            CompletableFuture<Void> next = new CompletableFuture<>();
            if (nextProbe.compareAndSet(null, next)) {
                prober.execute(() -> {
                    nextProbe.compareAndSet(next, null);
                    probe();
                    next.complete(null);
                });
                return next;
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

    /** Closes the breaker once Redis answers, after the bump a write made meanwhile (or just before) left pending. */
    private void probe() {
        if (!open.get() && !invalidationPending.get()) {
            return;
        }
        try {
            pingAnyConnection();
            if (invalidationPending.getAndSet(false)) {
                try {
                    leases.bump();
                } catch (JedisException e) {
                    invalidationPending.set(true);
                    throw e;
                }
            }
            if (open.compareAndSet(true, false)) {
                metrics.cacheAvailable(true);
                LOG.info("Redis answers again; cache back in use");
            }
        } catch (JedisException e) {
            // still down: keep skipping it
        } catch (RuntimeException e) {
            LOG.warn("Redis probe failed unexpectedly", e);
        }
    }

    /**
     * After an outage the pool still holds connections from before it, which the peer closed: each fails at once.
     * Try the next rather than call Redis down for another interval, but never past one time-out.
     */
    private void pingAnyConnection() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(where.timeoutMs());
        for (int attempt = 1; ; attempt++) {
            try {
                ping();
                return;
            } catch (JedisConnectionException e) {
                if (attempt == PING_ATTEMPTS || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
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
