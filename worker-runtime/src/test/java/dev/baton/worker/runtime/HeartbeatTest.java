package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

    /** The rule, tick by tick, with executors that run probes only when told to. */
    @Nested
    class Rule {

        private final ManualExecutor pool = new ManualExecutor();
        private final ManualExecutor io = new ManualExecutor();
        private final AtomicLong completed = new AtomicLong();
        private final List<Long> beats = new ArrayList<>();
        private final Heartbeat heartbeat =
                new Heartbeat(List.of(pool, io), completed::get, beats::add);

        @Test
        void beatsOnlyOnceEveryProbeHasRun() {
            heartbeat.tick(); // sends the first probes
            heartbeat.tick();
            assertEquals(List.of(), beats, "probes not run yet");
            assertEquals(1, pool.queued(), "a waiting probe is not repeated");

            io.runAll();
            heartbeat.tick();
            assertEquals(List.of(), beats, "the pool's probe has not run");

            pool.runAll();
            heartbeat.tick();
            assertEquals(List.of(0L), beats);
            assertEquals(1, pool.queued(), "and probes again");
            assertEquals(1, io.queued());
        }

        @Test
        void completedRequestsAreProgressWhileProbesWait() {
            heartbeat.tick();
            completed.set(3);
            heartbeat.tick();
            heartbeat.tick();
            completed.set(5);
            heartbeat.tick();
            assertEquals(List.of(3L, 5L), beats);
        }

        @Test
        void aRefusedProbeIsNoBeatAndIsTriedAgain() {
            pool.refusing = true;
            heartbeat.tick();
            io.runAll();
            heartbeat.tick();
            assertEquals(List.of(), beats);

            pool.refusing = false;
            heartbeat.tick(); // that round was refused: probes again, pool included
            pool.runAll();
            io.runAll();
            heartbeat.tick();
            assertEquals(List.of(0L), beats);
        }
    }

    /** Real threads: a timer, a pool whose every thread gets stuck, a completed request. */
    @Nested
    class OnRealThreads {

        private static final long PERIOD_MILLIS = 20;
        /** No beat for this long, at one period of 20 ms, means beating stopped. */
        private static final long QUIET_MILLIS = 500;
        private static final int POOL_THREADS = 2;

        private final BlockingQueue<Long> beats = new LinkedBlockingQueue<>();
        private final CountDownLatch release = new CountDownLatch(1);
        private final CountDownLatch blocked = new CountDownLatch(POOL_THREADS);
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final ExecutorService pool = Executors.newFixedThreadPool(POOL_THREADS);
        private final ExecutorService io = Executors.newSingleThreadExecutor();
        private final AtomicLong completed = new AtomicLong();

        @BeforeEach
        void start() {
            new Heartbeat(List.of(pool, io), completed::get, beats::add)
                    .start(timer, Duration.ofMillis(PERIOD_MILLIS));
        }

        @AfterEach
        void stop() {
            release.countDown();
            timer.shutdownNow();
            pool.shutdownNow();
            io.shutdownNow();
        }

        @Test
        void anIdleWorkerKeepsBeating() throws Exception {
            for (int i = 0; i < 5; i++) {
                assertNotNull(beats.poll(10, TimeUnit.SECONDS), "beat " + i);
            }
        }

        @Test
        void beatsStopWhileEveryPoolThreadIsStuckAndResumeAfter() throws Exception {
            assertNotNull(beats.poll(10, TimeUnit.SECONDS), "beats before the pool is stuck");
            blockEveryPoolThread();

            awaitSilence();
            assertNull(beats.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "still no beat");

            release.countDown();
            assertNotNull(beats.poll(10, TimeUnit.SECONDS), "beats again once the pool is free");
        }

        @Test
        void aRequestCompletingWhileThePoolIsStuckIsABeat() throws Exception {
            blockEveryPoolThread();
            awaitSilence();

            completed.incrementAndGet(); // say, answered on an IO thread

            assertEquals(1L, beats.poll(10, TimeUnit.SECONDS), "progress is a beat");
        }

        private void blockEveryPoolThread() throws InterruptedException {
            for (int i = 0; i < POOL_THREADS; i++) {
                pool.execute(() -> {
                    blocked.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS); // bounded: a failed test must end
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "every pool thread is blocked");
        }

        /** Beats may still come from probes that ran before the block; then they must stop. */
        private void awaitSilence() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (beats.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS) != null) {
                if (System.nanoTime() - deadline >= 0) {
                    fail("still beating while every pool thread is stuck");
                }
            }
        }
    }

    /** Queues tasks until the test runs them; can refuse, like a saturated pool. */
    private static final class ManualExecutor implements Executor {

        private final Queue<Runnable> tasks = new ArrayDeque<>();
        boolean refusing;

        @Override
        public void execute(Runnable task) {
            if (refusing) {
                throw new RejectedExecutionException("saturated");
            }
            tasks.add(task);
        }

        int queued() {
            return tasks.size();
        }

        void runAll() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
            }
        }
    }
}
