package org.otmicroservices.attendance.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cache entries read from Redis, kept in the JVM for one epoch of the InvalidationWatch: a lookup in the same
 * epoch is answered without a Redis round trip; the first entry of a newer epoch drops all older ones at once.
 */
final class NearCache {
    /** Bounds the heap the copies take; past it, lookups simply go to Redis until the next epoch. */
    static final long MAX_BYTES = 8L * 1024 * 1024;

    private record Epoch(long id, ConcurrentHashMap<String, Lookup> entries, AtomicLong bytes) {
        Epoch(long id) {
            this(id, new ConcurrentHashMap<>(), new AtomicLong());
        }
    }

    private final AtomicReference<Epoch> current = new AtomicReference<>(new Epoch(-1));

    /** The entry kept in this epoch, or null. */
    Lookup get(String key, long epoch) {
        Epoch e = current.get();
        return e.id() == epoch ? e.entries().get(key) : null;
    }

    /** Keeps a hit read from Redis in the given epoch (a lookup made in an older epoch than the newest is dropped). */
    void put(String key, long epoch, Lookup hit) {
        Epoch e = current.get();
        while (e.id() < epoch && !current.compareAndSet(e, new Epoch(epoch))) {
            e = current.get();
        }
        e = current.get();
        if (e.id() != epoch) {
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
