package dev.baton.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition with a bound: the only way Baton's tests wait. */
public final class Poll {

    /** How long a test waits for something that should be near-instant, unless it says otherwise. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(10);
    private static final long INTERVAL_MILLIS = 10;

    private Poll() {
    }

    /** Polls until {@code condition} holds; throws {@link AssertionError} naming {@code what} after 10 s. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_BOUND, condition);
    }

    /** Polls until {@code condition} holds; throws {@link AssertionError} naming {@code what} after {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        until(what, within, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    /** Polls until {@code value} is non-null and returns it; throws {@link AssertionError} after {@code within}. */
    public static <T> T until(String what, Duration within, Supplier<T> value) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            T result = value.get();
            if (result != null) {
                return result;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for: " + what);
            }
            pause(INTERVAL_MILLIS);
        }
    }

    /** The polling interval, or the length of a load phase; never a way to wait for an event. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
