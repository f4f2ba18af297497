package dev.baton.worker.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Sends {@code heartbeat <completed requests>} only while the threads that process requests make
 * progress. The master kills a worker that stops beating as hung; a beat from a plain timer thread
 * would go on while every request thread is deadlocked, and the worker would never be replaced.
 *
 * <p>Each period a no-op probe goes to every request thread pool: the task pool blocking handlers
 * dispatch to, and each IO thread. The next period beats if all of them ran (an idle or healthy
 * worker), or if more requests completed meanwhile (a pool fully busy with long requests that do
 * finish). A pool that is entirely stuck runs no probe and completes nothing: no beat.
 */
final class Heartbeat {

    private final List<Executor> requestThreads;
    private final LongSupplier completedRequests;
    private final LongConsumer beat;
    private Round round = Round.NONE;
    private long lastCompleted;

    /** {@code requestThreads}: the executors requests run on; a probe needs a free thread there. */
    Heartbeat(List<Executor> requestThreads, LongSupplier completedRequests, LongConsumer beat) {
        this.requestThreads = List.copyOf(requestThreads);
        this.completedRequests = completedRequests;
        this.beat = beat;
    }

    /**
     * Ticks on {@code timer} every {@code period}, starting now; the first tick only sends probes,
     * so the first beat comes a period later. Call once.
     */
    void start(ScheduledExecutorService timer, Duration period) {
        timer.scheduleAtFixedRate(this::tick, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One period: beat if there was progress since the last tick, then probe again. */
    void tick() {
        long completed = completedRequests.getAsLong();
        if (round.ran() || completed != lastCompleted) {
            beat.accept(completed);
        }
        lastCompleted = completed;
        // A round still queued is not repeated: a stuck pool would pile up probes, and when it
        // recovers the queued round running is the proof wanted.
        if (!round.queued()) {
            round = Round.submit(requestThreads);
        }
    }

    /** One probe per request thread pool, submitted together. */
    private static final class Round {

        /** Before the first tick: nothing ran, nothing queued. */
        static final Round NONE = new Round(new AtomicInteger(1), true);

        private final AtomicInteger notRun;
        private final boolean refused;

        private Round(AtomicInteger notRun, boolean refused) {
            this.notRun = notRun;
            this.refused = refused;
        }

        static Round submit(List<Executor> threads) {
            AtomicInteger notRun = new AtomicInteger(threads.size());
            boolean refused = false;
            for (Executor executor : threads) {
                try {
                    executor.execute(notRun::decrementAndGet);
                } catch (RejectedExecutionException e) {
                    refused = true; // a saturated or stopping pool: that probe never runs
                }
            }
            return new Round(notRun, refused);
        }

        boolean ran() {
            return notRun.get() == 0;
        }

        /** Waiting to run; a round with a refused probe can never finish, so it is not. */
        boolean queued() {
            return !ran() && !refused;
        }
    }
}
