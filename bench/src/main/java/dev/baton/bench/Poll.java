package dev.baton.bench;

import java.time.Duration;
import java.util.function.Supplier;

/** Waiting for a condition, with a bound: how the benchmark waits for anything but a phase's length. */
final class Poll {
    private static final long INTERVAL_MILLIS = 10;

    private Poll() {
    }

    /** Polls until {@code value} is non-null, and returns it; throws once {@code within} has passed. */
    static <T> T until(String what, Duration within, Supplier<T> value) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T result = value.get();
            if (result != null) {
                return result;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + within.toMillis() + " ms waiting for " + what);
            }
            pause(INTERVAL_MILLIS);
        }
    }

    /** Sleeps; for the length of a load phase or a polling interval, never to wait for an event. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
