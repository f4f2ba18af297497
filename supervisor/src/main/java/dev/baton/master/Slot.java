package dev.baton.master;

import java.time.Duration;

/**
 * A place for one worker: a number on a listener. It remembers the restarts of the workers it has
 * held: one that dies before it is ready counts as a failed start, and each failed start doubles
 * the wait before the next, so an application that crashes at boot does not burn the CPU. A
 * worker that dies within seconds of getting ready counts as a failed start too; one that has
 * served a while clears the count.
 */
final class Slot {
    private static final long FIRST_DELAY = Duration.ofMillis(500).toNanos();
    private static final long MAX_DELAY = Duration.ofSeconds(30).toNanos();

    final int listener;
    final int number;
    int failedStarts;
    long notBefore;
    String lastFailure;

    Slot(int listener, int number) {
        this.listener = listener;
        this.number = number;
    }

    void failed(long now, String how) {
        failedStarts++;
        lastFailure = how;
        notBefore = now + Math.min(FIRST_DELAY << Math.min(failedStarts - 1, 20), MAX_DELAY);
    }

    void succeeded() {
        failedStarts = 0;
        lastFailure = null;
    }

    long delayMillis(long now) {
        return Math.max(0, (notBefore - now) / 1_000_000);
    }

    /** "worker 3", or "worker 1.3" (listener 1) when there are several listeners. */
    String label(boolean severalListeners) {
        return "worker " + (severalListeners ? listener + "." + number : Integer.toString(number));
    }
}
