package dev.baton.tests;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition with a bound: the only way these tests wait. */
final class Poll {
    private Poll() {
    }

    static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for: " + what);
            }
            sleepBriefly();
        }
    }

    static <T> T until(String what, Duration within, Supplier<T> value) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T result = value.get();
            if (result != null) {
                return result;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for: " + what);
            }
            sleepBriefly();
        }
    }

    /** The polling interval; not a synchronisation. */
    static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
