package org.otmicroservices.attendance;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for what happens on another thread or in another process: poll, and give up with a clear failure. */
final class Poll {
    private static final long INTERVAL_MS = 50;

    private Poll() {}

    /** Returns as soon as the condition holds; fails naming what was awaited once `within` has passed. */
    static void until(String what, Duration within, BooleanSupplier condition) {
        until(() -> what, within, () -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty());
    }

    /**
     * The first value the probe finds. Once `within` has passed it fails with what `what` says then (so it can
     * show the last state seen); the probe itself may fail earlier, e.g. when a process it waits on has died.
     */
    static <T> T until(Supplier<String> what, Duration within, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                return fail("gave up after " + within.toMillis() + " ms waiting for " + what.get());
            }
            sleep(INTERVAL_MS);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
