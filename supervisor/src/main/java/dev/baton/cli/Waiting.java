package dev.baton.cli;

import java.math.BigDecimal;
import java.util.function.BooleanSupplier;

/** Polling for an outcome the CLI cannot be told about, such as another process's exit. */
final class Waiting {
    private static final long POLL_MILLIS = 20;

    private Waiting() {
    }

    /** Whether {@code condition} held within {@code seconds}. */
    static boolean until(BooleanSupplier condition, BigDecimal seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds.movePointRight(9).longValue();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
