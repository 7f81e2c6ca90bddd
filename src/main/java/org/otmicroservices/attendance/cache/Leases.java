package org.otmicroservices.attendance.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Read-your-writes across instances for the copies kept in the JVM (NearCache), on any network: leases with
 * acknowledged invalidation.
 *
 * The rule: an instance serves a kept copy only if the copy was read from Redis under generation g and the
 * instance holds a lease for g that is still valid by its own clock (trustedGeneration). Otherwise it asks Redis.
 *
 * Why it holds: Redis grants a lease for g (RENEW) only while g is the current generation. The lease lasts LEASE
 * in Redis, counted from when Redis ran the grant; the instance trusts it for 90 % of LEASE counted from when it
 * sent the request, which was earlier, so its trust always ends before Redis's count does. A writer bumps the
 * generation to g' (BUMP) and, before its write is answered, waits until every other instance's lease is for g'
 * or later (that instance has heard of g' and stopped trusting older copies before it asked) or has run out by
 * Redis's clock. Hence once a write is answered, no instance trusts a lease for an older generation, so no read
 * that starts after the answer is served from an older copy: whatever the delay of each link, and however long an
 * instance stalls (System.nanoTime counts on through SIGSTOP and GC pauses, so a stalled instance wakes with its
 * trust over) or if it dies (it stops renewing, and its lease runs out). The push of each new generation on
 * CHANNEL only makes acknowledgements fast; a lost push costs the writer time, never correctness.
 *
 * Conditions: the instances' and Redis's clocks advance at the same rate within 10 %. A failover may lose the last
 * bumps and grants: every script fences first (FENCE), so the new master's generation is above every generation
 * leased before, and no lease or kept copy of the old master's time is ever current again (RedisResponseCache has
 * the argument). A write made while this instance cannot reach Redis cannot invalidate the others
 * (RedisResponseCache: the breaker).
 *
 * Price: a write waits for the other instances' acknowledgements, about one round trip on the slowest instance's
 * link when all are up, and at most LEASE plus a round trip when one is stalled or gone (ACK_WAIT bounds it).
 */
final class Leases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
    static final Duration LEASE = Duration.ofMillis(300);
    private static final long TRUSTED_NANOS = LEASE.toNanos() * 9 / 10;
    /** Renewal interval: three renewals per lease, so one slow round trip does not end the trust. */
    private static final long RENEW_MS = LEASE.toMillis() / 3;
    /** The longest a write waits: every lease granted before its bump has run out by then. */
    static final Duration ACK_WAIT = LEASE.plusMillis(100);
    private static final long ACK_POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /**
     * KEYS[1] the generation, KEYS[2] the replication id the generation was fenced under (RedisResponseCache says
     * why). fence() first: on a master other than the one that last fenced, the generation jumps to Redis's clock in
     * microseconds (or one past itself if that is higher), above every generation an earlier master gave out.
     */
    static final String FENCE = """
            redis.replicate_commands()
            -- generations reach 16 digits: format them with %.0f, never with .. (which keeps 14)
            local function fence()
              local id = string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
              if redis.call('GET', KEYS[2]) == id then return end
              local t = redis.call('TIME')
              local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
              local g = tonumber(redis.call('GET', KEYS[1]) or '0')
              if floor <= g then floor = g + 1 end
              redis.call('SET', KEYS[1], string.format('%.0f', floor))
              redis.call('SET', KEYS[2], id)
            end
            fence()
            """;
    /**
     * KEYS[3] the leases (a hash: instance id -> "generation expiry-ms"); ARGV[1] this instance's id.
     * pending(g, now) drops the leases that ran out and returns g followed by the ids whose lease is for an older
     * generation.
     */
    private static final String COMMON = FENCE + """
            local function now()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            local function grant(g, ms)
              redis.call('HSET', KEYS[3], ARGV[1], string.format('%.0f %.0f', g, now() + ms))
            end
            local function pending(g)
              local out, all, t = {g}, redis.call('HGETALL', KEYS[3]), now()
              for i = 1, #all, 2 do
                local id, v = all[i], all[i + 1]
                local space = string.find(v, ' ')
                local lg, expiry = tonumber(string.sub(v, 1, space - 1)), tonumber(string.sub(v, space + 1))
                if expiry <= t then
                  redis.call('HDEL', KEYS[3], id)
                elseif id ~= ARGV[1] and lg < g then
                  table.insert(out, id)
                end
              end
              return out
            end
            """;
    /** ARGV[2] the generation this instance knows, ARGV[3] the lease in ms: {1, g} granted, {0, g} g is newer. */
    private static final Script RENEW = new Script(COMMON + """
            local g = tonumber(redis.call('GET', KEYS[1]) or '0')
            if g ~= tonumber(ARGV[2]) then return {0, g} end
            grant(g, tonumber(ARGV[3]))
            return {1, g}
            """);
    /**
     * ARGV[2] the lease in ms (0: this instance keeps no copies, take none), ARGV[3] the channel: bumps the
     * generation, grants this instance's lease for it, tells the others, and returns pending(g).
     */
    private static final Script BUMP = new Script(COMMON + """
            local g = redis.call('INCR', KEYS[1])
            if tonumber(ARGV[2]) > 0 then grant(g, tonumber(ARGV[2])) end
            redis.call('PUBLISH', ARGV[3], string.format('%.0f', g))
            return pending(g)
            """);
    /** ARGV[2] the generation a write made: pending(g), until no other instance holds an older lease. */
    private static final Script PENDING = new Script(COMMON + "return pending(tonumber(ARGV[2]))\n");

    private record Lease(long generation, long trustedUntilNanos) {}

    private final UnifiedJedis redis;
    private final List<String> keys;
    private final String channel;
    private final boolean keepsCopies;
    private final String id = UUID.randomUUID().toString();
    private volatile Lease lease = new Lease(-1, System.nanoTime());
    private final AtomicBoolean renewalAsked = new AtomicBoolean();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cache-leases");
        t.setDaemon(true);
        return t;
    });

    /** keepsCopies false (the cache off here): this instance only bumps, and never holds up another's write. */
    Leases(UnifiedJedis redis, String generationKey, String replidKey, String leasesKey, String channel, boolean keepsCopies) {
        this.redis = redis;
        this.keys = List.of(generationKey, replidKey, leasesKey);
        this.channel = channel;
        this.keepsCopies = keepsCopies;
        if (keepsCopies) {
            renewer.scheduleWithFixedDelay(this::renew, 0, RENEW_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** The generation whose kept copies may be served now, or -1 when none may. */
    long trustedGeneration() {
        Lease l = lease;
        return System.nanoTime() - l.trustedUntilNanos() < 0 ? l.generation() : -1;
    }

    /** A generation read from Redis or pushed on the channel: a newer one ends the trust until it is leased. */
    void heard(long generation) {
        if (generation > lease.generation()) {
            offer(new Lease(generation, System.nanoTime()));
            askRenewal();
        }
    }

    /**
     * Bumps the generation, then returns once no other instance can serve a copy kept under an older one (or after
     * ACK_WAIT, which should not happen: it is logged). Throws JedisException when Redis does not answer the bump.
     */
    void bump() {
        long sent = System.nanoTime();
        List<?> reply = BUMP.run(redis, keys, List.of(id, keepsCopies ? Long.toString(LEASE.toMillis()) : "0", channel));
        long generation = (Long) reply.get(0);
        if (keepsCopies) {
            offer(new Lease(generation, sent + TRUSTED_NANOS));
        }
        long deadline = sent + ACK_WAIT.toNanos();
        while (reply.size() > 1) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("instances {} did not acknowledge generation {} within {} ms; answering the write anyway",
                        reply.subList(1, reply.size()), generation, ACK_WAIT.toMillis());
                return;
            }
            LockSupport.parkNanos(ACK_POLL_NANOS);
            reply = PENDING.run(redis, keys, List.of(id, Long.toString(generation)));
        }
    }

    void askRenewal() {
        if (keepsCopies && renewalAsked.compareAndSet(false, true)) {
            renewer.execute(this::renew);
        }
    }

    /** Asks Redis for a lease on the generation this instance knows; on a newer one, learns it and asks again. */
    private void renew() {
        renewalAsked.set(false);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                long known = lease.generation();
                long sent = System.nanoTime();
                List<?> reply = RENEW.run(redis, keys, List.of(id, Long.toString(known), Long.toString(LEASE.toMillis())));
                long generation = (Long) reply.get(1);
                if ((Long) reply.get(0) == 1) {
                    offer(new Lease(generation, sent + TRUSTED_NANOS));
                    return;
                }
                offer(new Lease(generation, sent)); // newer: no trust until it is leased
            }
        } catch (JedisException | ClassCastException e) {
            LOG.debug("cache lease not renewed: {}", e.getMessage()); // the trust runs out; lookups go to Redis
        }
    }

    /** Keeps the newest generation, and for one generation the longest trust. */
    private synchronized void offer(Lease next) {
        Lease current = lease;
        if (next.generation() > current.generation()
                || (next.generation() == current.generation() && next.trustedUntilNanos() - current.trustedUntilNanos() > 0)) {
            lease = next;
        }
    }

    /** Gives the lease back, so that no write waits for this instance any more. */
    @Override
    public void close() {
        renewer.shutdownNow();
        if (keepsCopies) {
            try {
                redis.hdel(keys.get(2), id);
            } catch (JedisException e) {
                // the lease runs out by itself
            }
        }
    }

    /** A Lua script run by its SHA-1 (EVALSHA), loaded with EVAL the first time a Redis does not have it. */
    record Script(String source, String sha) {
        Script(String source) {
            this(source, sha1(source));
        }

        List<?> run(UnifiedJedis redis, List<String> keys, List<String> args) {
            try {
                return (List<?>) redis.evalsha(sha, keys, args);
            } catch (JedisDataException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                    throw e;
                }
                return (List<?>) redis.eval(source, keys, args);
            }
        }

        /** The same with binary keys and arguments, whose bulk replies stay bytes. */
        List<?> runBinary(UnifiedJedis redis, List<byte[]> keys, List<byte[]> args) {
            try {
                return (List<?>) redis.evalsha(sha.getBytes(StandardCharsets.US_ASCII), keys, args);
            } catch (JedisDataException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
                    throw e;
                }
                return (List<?>) redis.eval(source.getBytes(StandardCharsets.UTF_8), keys, args);
            }
        }

        private static String sha1(String s) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-1", e);
            }
        }
    }
}
