package dev.baton.master;

import java.time.Duration;

/**
 * A worker number's restart history. A worker that dies before it is ready counts as a failed
 * start, and each failed start doubles the wait before the next, so an application that crashes
 * at boot does not burn the CPU; one ready worker clears the count.
 */
final class Slot {
    private static final long FIRST_DELAY = Duration.ofMillis(500).toNanos();
    private static final long MAX_DELAY = Duration.ofSeconds(30).toNanos();

    int failedStarts;
    long notBefore;
    String lastFailure;

    void failed(long now, String how) {
        failedStarts++;
        lastFailure = how;
        notBefore = now + Math.min(FIRST_DELAY << Math.min(failedStarts - 1, 20), MAX_DELAY);
    }

    void succeeded() {
        failedStarts = 0;
        lastFailure = null;
    }

    void exitedAfterReady(long now) {
        notBefore = now;
    }

    long delayMillis(long now) {
        return Math.max(0, (notBefore - now) / 1_000_000);
    }
}
