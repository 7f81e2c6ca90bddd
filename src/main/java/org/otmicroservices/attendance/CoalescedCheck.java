package org.otmicroservices.attendance;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Runs a health check for many concurrent callers at once, without ever answering from an old result: a caller
 * joins the next check that starts after it arrived. One check runs at a time, so a flood of health probes
 * (a load balancer per instance, a benchmark) costs one database round trip at a time instead of one each.
 */
final class CoalescedCheck {
    private final BooleanSupplier check;
    private CompletableFuture<Boolean> running; // guarded by this: the check in flight
    private CompletableFuture<Boolean> pending; // guarded by this: the next check, collecting callers until it starts

    CoalescedCheck(BooleanSupplier check) {
        this.check = check;
    }

    /** True if a check that started after this call began passed; a check that throws counts as failed. */
    boolean passes() {
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
        boolean passed;
        try {
            passed = check.getAsBoolean();
        } catch (RuntimeException e) {
            passed = false;
        }
        mine.complete(passed);
        synchronized (this) {
            if (running == mine) {
                running = null;
            }
        }
        return passed;
    }
}
