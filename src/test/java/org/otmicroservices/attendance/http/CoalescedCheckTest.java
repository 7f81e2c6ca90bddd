package org.otmicroservices.attendance.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescedCheckTest {
    @Test
    void callersArrivingDuringACheckShareOneNewCheckAndNeverItsOlderResult() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        // The first check passes, every later one fails: who got which result shows which check each caller joined.
        CoalescedCheck check = new CoalescedCheck(() -> {
            if (runs.incrementAndGet() == 1) {
                firstStarted.countDown();
                await(releaseFirst);
                return true;
            }
            return false;
        }, Duration.ZERO);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(check::passes, pool);
            assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(check::passes, pool);
            CompletableFuture<Boolean> third = CompletableFuture.supplyAsync(check::passes, pool);
            Thread.sleep(100); // let both arrive while the first check is still running
            releaseFirst.countDown();
            assertTrue(first.get(5, TimeUnit.SECONDS));
            assertFalse(second.get(5, TimeUnit.SECONDS));
            assertFalse(third.get(5, TimeUnit.SECONDS));
            assertEquals(2, runs.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCheckThatThrowsFailsAndTheNextCallRunsAgain() {
        AtomicInteger runs = new AtomicInteger();
        CoalescedCheck check = new CoalescedCheck(() -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("database down");
            }
            return true;
        }, Duration.ZERO);
        assertFalse(check.passes());
        assertTrue(check.passes());
        assertEquals(2, runs.get());
    }

    @Test
    void aResultIsReusedUntilItsCheckIsMaxAgeOldThenANewCheckRuns() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        // Passes once, fails after: a reused result shows as true without a second run.
        CoalescedCheck check = new CoalescedCheck(() -> runs.incrementAndGet() == 1, Duration.ofMillis(300));
        assertTrue(check.passes());
        assertTrue(check.passes());
        assertEquals(1, runs.get());
        Thread.sleep(400);
        assertFalse(check.passes());
        assertEquals(2, runs.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
