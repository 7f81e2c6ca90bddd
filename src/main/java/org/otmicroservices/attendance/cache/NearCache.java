package org.otmicroservices.attendance.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cache entries read from Redis, kept in the JVM by the generation they were read under: a lookup under the same
 * generation is answered without a Redis round trip (when Leases trusts it); the first entry of a newer generation
 * drops all older ones at once. The kept set starts afresh every MAX_AGE, so a copy outlives its Redis entry's
 * TTL by at most that, and the byte bound makes room for what is hot now.
 */
final class NearCache {
    /** Bounds the heap the copies take; past it, lookups simply go to Redis until the next epoch. */
    static final long MAX_BYTES = 8L * 1024 * 1024;
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Epoch(long generation, long startedNanos, ConcurrentHashMap<String, Lookup> entries, AtomicLong bytes) {
        Epoch(long generation) {
            this(generation, System.nanoTime(), new ConcurrentHashMap<>(), new AtomicLong());
        }

        boolean current(long generation) {
            return this.generation == generation && System.nanoTime() - startedNanos < MAX_AGE_NANOS;
        }
    }

    private final AtomicReference<Epoch> current = new AtomicReference<>(new Epoch(-1));

    /** The entry kept under this generation, or null. */
    Lookup get(String key, long generation) {
        Epoch e = current.get();
        return e.current(generation) ? e.entries().get(key) : null;
    }

    /** Keeps a hit read from Redis under its generation (one read under an older generation than the newest is dropped). */
    void put(String key, long generation, Lookup hit) {
        Epoch e = current.get();
        while ((e.generation() < generation || (e.generation() == generation && !e.current(generation)))
                && !current.compareAndSet(e, new Epoch(generation))) {
            e = current.get();
        }
        e = current.get();
        if (e.generation() != generation) {
            return;
        }
        long size = hit.size();
        if (e.bytes().addAndGet(size) > MAX_BYTES) {
            e.bytes().addAndGet(-size);
            return;
        }
        if (e.entries().putIfAbsent(key, hit) != null) {
            e.bytes().addAndGet(-size);
        }
    }
}
