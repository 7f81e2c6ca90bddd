package org.otmicroservices.attendance.cache;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class NearCacheTest {
    /** A hit whose entry takes the given number of bytes. */
    private static Lookup hit(int bytes) {
        int header = Lookup.entry(7, null, new byte[0]).length;
        return Lookup.of(Lookup.entry(7, null, new byte[bytes - header]), 7);
    }

    @Test
    void anEntryIsServedOnlyInTheEpochItWasKeptIn() {
        NearCache near = new NearCache();
        Lookup kept = hit(100);
        near.put("k", 1, kept);
        assertSame(kept, near.get("k", 1));
        assertNull(near.get("k", 2), "a newer epoch: something may have changed since");
        assertNull(near.get("other", 1));
    }

    @Test
    void theFirstEntryOfANewerEpochDropsTheOlderOnesAndALateOlderOneIsNotKept() {
        NearCache near = new NearCache();
        near.put("old", 1, hit(100));
        near.put("new", 2, hit(100));
        assertNull(near.get("old", 1), "epoch 1's entries are gone once epoch 2 began");
        near.put("late", 1, hit(100)); // read from Redis before epoch 2 began, kept after: must not be used
        assertNull(near.get("late", 1));
        assertNull(near.get("late", 2));
    }

    @Test
    void entriesBeyondTheByteBoundAreNotKept() {
        NearCache near = new NearCache();
        int half = (int) (NearCache.MAX_BYTES / 2);
        Lookup first = hit(half);
        near.put("first", 1, first);
        near.put("second", 1, hit(half));
        near.put("third", 1, hit(half));
        assertSame(first, near.get("first", 1));
        assertNull(near.get("third", 1), "over " + NearCache.MAX_BYTES + " bytes in one epoch");
    }
}
