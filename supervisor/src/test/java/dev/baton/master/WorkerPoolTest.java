package dev.baton.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.net.ListenAddress;
import dev.baton.net.Listener;
import dev.baton.protocol.Command;
import dev.baton.signals.Signal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The pool's rules against a fake operating system, so each runs in milliseconds. */
class WorkerPoolTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Processes that exist until reaped; records what the pool did to them. */
    static final class FakeOs implements WorkerOs {
        final Map<Integer, Integer> exited = new HashMap<>();
        final List<Integer> live = new ArrayList<>();
        final List<String> done = new ArrayList<>();
        WorkerPool pool;
        int batch;
        int nextPid = 1000;
        int spawned;
        int mostLive;
        String failStarts;

        @Override
        public Started start(List<String> command, Map<String, String> environment, int listenerFd, int outputFd) {
            if (failStarts != null) {
                throw new IllegalStateException(failStarts);
            }
            assertTrue(live.size() < pool.wanted() + batch, "spawn with " + live.size() + " workers alive, "
                    + pool.wanted() + " wanted, batch " + batch);
            int pid = nextPid++;
            live.add(pid);
            spawned++;
            mostLive = Math.max(mostLive, live.size());
            return new Started(pid, pid, pid);
        }

        @Override
        public void listen(int reportFd, String name, Consumer<String> onLine, Runnable onEnd) {
        }

        @Override
        public boolean send(int commandFd, Command command) {
            done.add(command.line() + " " + commandFd);
            return true;
        }

        @Override
        public void close(int fd) {
        }

        @Override
        public boolean signal(int pid, Signal signal) {
            done.add(signal + " " + pid);
            if (signal == Signal.KILL || signal == Signal.TERM) {
                exit(pid, signal.number());
            }
            return live.contains(pid);
        }

        void exit(int pid, int raw) {
            if (live.contains(pid)) {
                exited.putIfAbsent(pid, raw);
            }
        }

        @Override
        public int reap(int pid) {
            Integer raw = exited.remove(pid);
            if (raw == null) {
                return WorkerPool.STILL_RUNNING;
            }
            live.remove(Integer.valueOf(pid));
            return raw;
        }

        @Override
        public boolean stopped(int pid) {
            return false;
        }

        @Override
        public long rssKib(int pid) {
            return 0;
        }
    }

    private final FakeOs os = new FakeOs();
    private long now = 1_000_000 * MS;

    private WorkerPool pool(int workers, int batch) {
        Settings settings = new Settings(List.of(ListenAddress.parse("127.0.0.1:0")), workers, null, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Handoff.AUTO, true, null, 0, 0, 0, batch, null, Duration.ZERO,
                null, null, List.of("app"));
        WorkerPool pool = new WorkerPool(settings, List.of(new Listener(99, new InetSocketAddress(0))), 1, 1, e -> { }, os);
        os.pool = pool;
        os.batch = batch;
        return pool;
    }

    /** One turn of the master's loop. */
    private void turn(WorkerPool pool) {
        pool.upkeep(now);
        pool.reap(now, true);
        pool.enforceDeadlines(now);
    }

    private List<Worker> in(WorkerPool pool, Worker.State state) {
        return pool.workers().stream().filter(w -> w.state == state).toList();
    }

    private void readyAll(WorkerPool pool) {
        for (Worker w : in(pool, Worker.State.STARTING)) {
            pool.onLine(w, "ready", now);
        }
    }

    /** Workers told to quit drain and exit. */
    private void drainersExit(WorkerPool pool) {
        for (Worker w : in(pool, Worker.State.STOPPING)) {
            os.exit(w.pid, 0);
        }
    }

    /**
     * A worker the master still sees as starting may already accept: it starts accepting, then says
     * ready, and the master reads that later. Killed, it would reset what it accepted (three
     * requests in a signal storm); asked, it exits before accepting, or drains.
     */
    @Test
    void aStartingWorkerNoLongerWantedOrOutdatedIsAskedToStopNeverKilled() {
        WorkerPool pool = pool(2, 1);
        turn(pool);
        assertEquals(2, os.live.size());
        List<Integer> booting = List.copyOf(os.live);
        now += 45_000 * MS; // 15 s before their 60 s boot timeout
        pool.resize(1, "TTOU");
        turn(pool);
        pool.reconfigure(settingsOf(pool));
        turn(pool);
        for (int pid : booting) {
            assertTrue(os.done.contains("quit " + pid), os.done.toString());
            assertTrue(!os.done.contains("KILL " + pid), os.done.toString());
        }
        assertEquals(2, in(pool, Worker.State.STOPPING).size(), "both still count against the bound until they exit");
        for (Worker stopping : in(pool, Worker.State.STOPPING)) {
            assertEquals(now + 30_000 * MS, stopping.killAt, "the graceful timeout, not the boot deadline, bounds its drain");
        }
        // The ready it sent before it read the quit changes nothing: it is stopping.
        pool.onLine(in(pool, Worker.State.STOPPING).get(0), "ready", now);
        assertEquals(0, pool.readyCount());
        drainersExit(pool);
        turn(pool); // reaped: room again
        turn(pool);
        assertEquals(List.of(), in(pool, Worker.State.STOPPING));
        assertEquals(1, os.live.size(), "the replacement of the one still wanted");
    }

    @Test
    void reloadsWhileReplacementsBootNeverSpawnMoreThanTheBound() {
        WorkerPool pool = pool(2, 1);
        turn(pool);
        readyAll(pool);
        for (int hup = 0; hup < 50; hup++) {
            pool.reconfigure(settingsOf(pool));
            turn(pool);
            now += 50 * MS;
        }
        assertTrue(os.mostLive <= 3, "at most 2 + 1 workers alive, saw " + os.mostLive);
        // The two serving workers never stopped serving: capacity held through the storm.
        assertEquals(2, in(pool, Worker.State.READY).size());
        readyAll(pool);
        for (int i = 0; i < 10; i++) {
            turn(pool);
            drainersExit(pool);
            readyAll(pool);
            now += 50 * MS;
        }
        assertEquals(2, os.live.size());
        assertEquals(2, pool.readyCount());
    }

    private static Settings settingsOf(WorkerPool pool) {
        return new Settings(List.of(ListenAddress.parse("127.0.0.1:0")), pool.perListener(), null, Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Handoff.AUTO, true, null, 0, 0, 0, 1, null, Duration.ZERO,
                null, null, List.of("app", "v2"));
    }

    @Test
    void aRandomStormNeverExceedsWantedPlusBatchAndConverges() {
        WorkerPool pool = pool(2, 1);
        Random random = new Random(42);
        for (int i = 0; i < 5_000; i++) {
            switch (random.nextInt(8)) {
                case 0 -> pool.resize(pool.perListener() + 1, "TTIN");
                case 1 -> pool.resize(Math.max(0, pool.perListener() - 1), "TTOU");
                case 2 -> pool.resize(0, "WINCH");
                case 3 -> pool.reconfigure(settingsOf(pool));
                case 4 -> readyAll(pool);
                case 5 -> drainersExit(pool);
                case 6 -> {
                    if (!os.live.isEmpty()) {
                        os.exit(os.live.get(random.nextInt(os.live.size())), 1);
                    }
                }
                default -> now += random.nextInt(700) * MS;
            }
            if (pool.perListener() > 4) {
                pool.resize(4, "cap");
            }
            turn(pool);
        }
        pool.resize(2, "scale");
        for (int i = 0; i < 200; i++) {
            turn(pool);
            drainersExit(pool);
            readyAll(pool);
            now += 500 * MS;
        }
        assertEquals(2, os.live.size(), "converged");
        assertEquals(2, pool.readyCount());
    }

    @Test
    void aWorkerThatCrashesSoonAfterReadyBacksOffLikeOneThatCrashesAtBoot() {
        WorkerPool pool = pool(1, 1);
        long[] delays = new long[3];
        for (int round = 0; round < 3; round++) {
            turn(pool);
            assertEquals(1, os.live.size(), "round " + round);
            readyAll(pool);
            now += 200 * MS;
            os.exit(os.live.get(0), 1 << 8);
            turn(pool);
            long crashed = now;
            while (os.live.isEmpty()) {
                now += 10 * MS;
                turn(pool);
            }
            delays[round] = (now - crashed) / MS;
        }
        assertTrue(delays[0] >= 500 && delays[1] >= 1000 && delays[2] >= 2000, java.util.Arrays.toString(delays));
    }

    @Test
    void aWorkerThatServedAWhileIsRespawnedAtOnce() {
        WorkerPool pool = pool(1, 1);
        turn(pool);
        readyAll(pool);
        now += 11_000 * MS;
        turn(pool);
        os.exit(os.live.get(0), 1 << 8);
        turn(pool);
        turn(pool);
        assertEquals(1, os.live.size());
    }

    @Test
    void aSpawnThatFailsIsRetriedWithBackoffNotThrown() {
        WorkerPool pool = pool(1, 1);
        os.failStarts = "pipe2: Too many open files";
        turn(pool);
        turn(pool);
        assertEquals(0, os.spawned);
        os.failStarts = null;
        turn(pool);
        assertEquals(0, os.spawned, "waits out the backoff");
        now += 600 * MS;
        turn(pool);
        assertEquals(1, os.spawned);
    }
}
