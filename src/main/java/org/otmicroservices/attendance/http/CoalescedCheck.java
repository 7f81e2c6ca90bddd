package org.otmicroservices.attendance.http;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Runs a health check for many concurrent callers at once, never answering from a result older than maxAge: a
 * caller takes the result of a check that started at most maxAge before it arrived, or else joins the next check
 * that starts after it arrived. One check runs at a time, so a flood of health probes (a load balancer per
 * instance, a benchmark) costs one database round trip per maxAge instead of one each.
 */
final class CoalescedCheck {
    private final BooleanSupplier check;
    private final long maxAgeNanos;
    private volatile Result last; // the newest finished check
    private CompletableFuture<Boolean> running; // guarded by this: the check in flight
    private CompletableFuture<Boolean> pending; // guarded by this: the next check, collecting callers until it starts

    private record Result(long startedNanos, boolean passed) {}

    CoalescedCheck(BooleanSupplier check, Duration maxAge) {
        this.check = check;
        this.maxAgeNanos = maxAge.toNanos();
    }

    /** True if the check passed that started at most maxAge before this call, or the next one that starts after it. */
    boolean passes() {
        Result recent = last;
        if (recent != null && System.nanoTime() - recent.startedNanos() <= maxAgeNanos) {
            return recent.passed();
        }
        CompletableFuture<Boolean> mine;
        CompletableFuture<Boolean> before;
        synchronized (this) {
            if (pending != null) {
                mine = pending;
                before = null;
            } else {
                pending = new CompletableFuture<>();
                mine = pending;
                before = running == null ? CompletableFuture.completedFuture(true) : running;
            }
        }
        if (before == null) {
            return mine.join(); // another caller leads the check we joined
        }
        before.join(); // it started before we arrived: wait for it, then start ours
        synchronized (this) {
            pending = null; // callers from now on wait for the check after this one
            running = mine;
        }
        long started = System.nanoTime();
        boolean passed;
        try {
            passed = check.getAsBoolean();
        } catch (RuntimeException e) {
            passed = false;
        }
        last = new Result(started, passed); // one check at a time: each is newer than the one before
        mine.complete(passed);
        synchronized (this) {
            if (running == mine) {
                running = null;
            }
        }
        return passed;
    }
}
