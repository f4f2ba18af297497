package dev.baton.master;

import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import dev.baton.posix.PosixException;
import dev.baton.protocol.Command;
import dev.baton.protocol.Report;
import dev.baton.protocol.WorkerEnvironment;
import dev.baton.protocol.WorkerFds;
import dev.baton.signals.Signal;
import dev.baton.spawn.ExitStatus;
import dev.baton.spawn.ProcessState;
import dev.baton.spawn.Spawn;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One generation's workers: which should run, spawning and replacing them, reaping them, and the
 * deadlines they live by. Owned by the master's loop thread.
 *
 * <p>Replacement is always spawn-before-drain: a worker that must go for a reload or a recycle
 * keeps serving until its replacement reports ready, so serving capacity never drops below the
 * configured count; {@code --rolling-batch} bounds how many are replaced at once.
 */
final class WorkerPool {
    private static final long QUICK_STOP = TimeUnit.SECONDS.toNanos(1);
    /** After a worker's channel closes, how long and how often to look for its exit. */
    private static final long EXIT_WATCH = TimeUnit.SECONDS.toNanos(1);
    private static final long EXIT_POLL = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a hung worker gets to print the thread dump SIGQUIT asks it for. */
    private static final long THREAD_DUMP_GRACE = TimeUnit.MILLISECONDS.toNanos(500);
    private static final List<String> NOT_FOR_WORKERS = List.of(
            "_JAVA_SR_SIGNUM", "BATON_LAUNCHER", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET");

    private final List<Listener> listeners;
    private final int generation;
    private final int masterPid;
    private final Consumer<Event> events;
    private final Map<String, Slot> slots = new HashMap<>();
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private final String self;
    private Settings settings;
    private JvmCache jvmCache;
    private int perListener;
    /** Where workers' stdout and stderr go: the master's own (-1), or a pipe the master copies to its log. */
    private int outputFd = -1;

    WorkerPool(Settings settings, List<Listener> listeners, int generation, int masterPid, Consumer<Event> events) {
        this.settings = settings;
        this.perListener = settings.workers();
        this.listeners = List.copyOf(listeners);
        this.generation = generation;
        this.masterPid = masterPid;
        this.events = events;
        this.self = "master gen " + generation;
        useJvmCache(settings);
    }

    private void useJvmCache(Settings next) {
        if (jvmCache == null || !java.util.Objects.equals(jvmCache.dir(), next.jvmCache())) {
            jvmCache = new JvmCache(next.jvmCache());
            Log.line(self, "JVM cache: " + (next.jvmCache() != null ? next.jvmCache()
                    : next.pidFile() == null ? "off (no --pid to keep it beside: give --jvm-cache DIR)" : "off"));
        }
    }

    void sendOutputTo(int fd) {
        outputFd = fd;
    }

    // ---- what should run ----

    int perListener() {
        return perListener;
    }

    /** How many workers should be serving: per listener, times listeners. */
    int wanted() {
        return perListener * listeners.size();
    }

    void resize(int count, String why) {
        int from = perListener;
        perListener = Math.max(0, count);
        Log.line(self, why + ": workers " + from + " -> " + perListener + (listeners.size() > 1 ? " per listener" : ""));
    }

    /** New settings (HUP): every worker is replaced by one started with them, a batch at a time. */
    void reconfigure(Settings next) {
        settings = next;
        useJvmCache(next);
        perListener = next.workers();
        for (Worker worker : workers.values()) {
            if (worker.current()) {
                worker.outdated = "reload";
            }
        }
    }

    /** Spawns what is missing, retires what is surplus or has been replaced. Called once per loop turn. */
    void upkeep(long now) {
        for (Worker worker : workers.values()) {
            if (worker.state == Worker.State.STOPPING) {
                continue;
            }
            if (worker.slot.number >= perListener) {
                retire(worker, "no longer wanted", now);
            } else if (worker.outdated != null && hasReadyCurrent(worker.slot)) {
                retire(worker, worker.outdated + ": replaced", now);
            }
        }
        List<Slot> wanted = wantedSlots();
        int replacing = 0;
        for (Slot slot : wanted) {
            if (hasOutdated(slot) && hasCurrent(slot)) {
                replacing++;
            }
        }
        for (Slot slot : wanted) {
            if (hasCurrent(slot) || slot.notBefore - now > 0) {
                continue;
            }
            boolean replacement = hasOutdated(slot);
            if (replacement && replacing >= settings.rollingBatch()) {
                continue;
            }
            if (spawn(slot, now) && replacement) {
                replacing++;
            }
        }
    }

    private List<Slot> wantedSlots() {
        List<Slot> wanted = new ArrayList<>();
        for (int listener = 0; listener < listeners.size(); listener++) {
            for (int number = 0; number < perListener; number++) {
                int l = listener;
                int n = number;
                wanted.add(slots.computeIfAbsent(l + "." + n, key -> new Slot(l, n)));
            }
        }
        return wanted;
    }

    private boolean hasCurrent(Slot slot) {
        return workers.values().stream().anyMatch(w -> w.slot == slot && w.current());
    }

    private boolean hasReadyCurrent(Slot slot) {
        return workers.values().stream().anyMatch(w -> w.slot == slot && w.current() && w.state == Worker.State.READY);
    }

    private boolean hasOutdated(Slot slot) {
        return workers.values().stream().anyMatch(w -> w.slot == slot && w.outdated != null && w.state != Worker.State.STOPPING);
    }

    private boolean spawn(Slot slot, long now) {
        int[] down = Posix.pipe();
        int[] up = Posix.pipe();
        Map<String, String> environment = environment(slot);
        JvmCache.Use cache = jvmCache.prepare(settings.command(), environment);
        Spawn spawn = Spawn.command(settings.command())
                .environment(environment)
                // A listener on fd 0 is why each listener has workers of its own.
                .fd(WorkerFds.LISTENER, listeners.get(slot.listener).fd())
                .fd(WorkerFds.COMMANDS, down[0])
                .fd(WorkerFds.REPORTS, up[1]);
        if (outputFd >= 0) {
            spawn.fd(1, outputFd).fd(2, outputFd);
        }
        String label = slot.label(listeners.size() > 1);
        int pid;
        try {
            pid = spawn.start();
        } catch (PosixException e) {
            Posix.close(down[1]);
            Posix.close(up[0]);
            jvmCache.exited(cache, false, self);
            slot.failed(now, "could not start: " + e.getMessage());
            Log.line(self, "cannot start " + label + ": " + e.getMessage() + retryNote(slot, now));
            return false;
        } finally {
            Posix.close(down[0]);
            Posix.close(up[1]);
        }
        long limit = settings.maxRequests() == 0 ? 0
                : settings.maxRequests() + ThreadLocalRandom.current().nextLong(settings.maxRequests() / 10 + 1);
        Worker worker = new Worker(slot, label, generation, pid, down[1], now, limit);
        // Most often an application that does not speak Baton's protocol at all: say so, since it
        // would otherwise be respawned (with the crash-loop backoff) for no visible reason.
        worker.deadline(now + settings.bootTimeout().toNanos(), "started but never reported ready within --boot-timeout "
                + settings.bootTimeout().toSeconds() + " s: does it use worker-api or an adapter? see README: Serving an application");
        worker.jvmCache = cache;
        workers.put(pid, worker);
        LineReader.start("baton-worker-" + pid, up[0], line -> events.accept(new Event.WorkerSaid(worker, line)),
                () -> events.accept(new Event.WorkerClosed(worker)));
        StartupSteps.firstSpawn(self);
        Log.line(worker.name(), "spawned; JVM cache: " + cache.describe());
        return true;
    }

    private Map<String, String> environment(Slot slot) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        NOT_FOR_WORKERS.forEach(environment::remove);
        Inheritance.VARIABLES.forEach(environment::remove);
        WorkerEnvironment.NAMES.forEach(environment::remove);
        environment.putAll(new WorkerEnvironment(masterPid, generation, slot.number, settings.gracefulTimeout(),
                settings.warmupPath(), settings.warmupRequests(), settings.healthPath()).variables());
        return environment;
    }

    // ---- what workers say ----

    /** Handles a line from a worker's control channel; true if it made the worker ready. */
    boolean onLine(Worker worker, String line, long now) {
        if (!workers.containsKey(worker.pid)) {
            return false;
        }
        Report report;
        try {
            report = Report.parse(line);
        } catch (IllegalArgumentException e) {
            Log.line(worker.name(), "said something unexpected on its control channel: " + line);
            return false;
        }
        if (report instanceof Report.Ready) {
            if (worker.state != Worker.State.STARTING) {
                return false;
            }
            worker.state = Worker.State.READY;
            worker.readyAt = now;
            worker.lastHeartbeat = now;
            worker.killAt = 0;
            worker.slot.succeeded();
            Log.line(worker.name(), "ready in " + millis(now - worker.spawnedAt) + " ms");
            return true;
        }
        if (report instanceof Report.Heartbeat beat) {
            worker.lastHeartbeat = now;
            worker.requests = beat.completedRequests();
            checkRecycling(worker);
        }
        return false;
    }

    private void checkRecycling(Worker worker) {
        if (!worker.current() || worker.state != Worker.State.READY) {
            return;
        }
        if (worker.requestLimit > 0 && worker.requests >= worker.requestLimit) {
            worker.outdated = "recycled after " + worker.requests + " requests (--max-requests " + settings.maxRequests() + ")";
        } else if (settings.maxRssMib() > 0) {
            long rssMib = worker.rssKib() / 1024;
            if (rssMib > settings.maxRssMib()) {
                worker.outdated = "recycled at " + rssMib + " MiB resident (--max-rss " + settings.maxRssMib() + ")";
            }
        }
        if (worker.outdated != null) {
            Log.line(worker.name(), worker.outdated + ": starting its replacement");
        }
    }

    // ---- stopping workers ----

    private void retire(Worker worker, String why, long now) {
        drain(worker, now);
        Log.line(worker.name(), why + ": draining");
    }

    /** Every worker drains and exits, within the graceful timeout. */
    void quitAll(long now) {
        for (Worker worker : workers.values()) {
            if (worker.state != Worker.State.STOPPING) {
                drain(worker, now);
            }
        }
    }

    private void drain(Worker worker, long now) {
        worker.state = Worker.State.STOPPING;
        worker.send(Command.QUIT);
        worker.deadline(now + settings.gracefulTimeout().toNanos(),
                "outlived --graceful-timeout " + settings.gracefulTimeout().toSeconds() + " s");
    }

    /** Every worker exits now: SIGTERM, then SIGKILL after a second. */
    void terminateAll(long now) {
        for (Worker worker : workers.values()) {
            worker.state = Worker.State.STOPPING;
            Posix.kill(worker.pid, Signal.TERM.number());
            worker.killAt = 0;
            worker.deadline(now + QUICK_STOP, "still running " + TimeUnit.NANOSECONDS.toMillis(QUICK_STOP) + " ms after SIGTERM");
        }
    }

    void tellAll(Command message) {
        workers.values().forEach(w -> w.send(message));
    }

    // ---- reaping and deadlines ----

    /** The worker's channel closed: it is exiting, so look for its exit status often for a while. */
    void closed(Worker worker, long now) {
        worker.closedAt = now;
    }

    /** Reaps exited workers; {@code respawning} says whether the master will replace them. */
    void reap(long now, boolean respawning) {
        for (Iterator<Worker> it = workers.values().iterator(); it.hasNext(); ) {
            Worker worker = it.next();
            int raw = Posix.waitNoHang(worker.pid);
            if (raw == Posix.STILL_RUNNING) {
                continue;
            }
            it.remove();
            worker.closeChannel();
            ExitStatus status = ExitStatus.of(raw);
            jvmCache.exited(worker.jvmCache, status.success(), worker.name());
            boolean wanted = respawning && worker.state != Worker.State.STOPPING && worker.slot.number < perListener;
            if (worker.state == Worker.State.STARTING) {
                worker.slot.failed(now, status.toString());
                Log.line(worker.name(), status + " before it was ready" + (wanted ? retryNote(worker.slot, now) : ""));
            } else {
                Log.line(worker.name(), status + (wanted ? "; respawning" : ""));
            }
        }
    }

    private static String retryNote(Slot slot, long now) {
        return "; respawning in " + slot.delayMillis(now) + " ms (" + slot.failedStarts + " failed start"
                + (slot.failedStarts == 1 ? "" : "s") + " in a row)";
    }

    /** Kills workers past their deadline, and those whose heartbeat stopped (hung). */
    void enforceDeadlines(long now) {
        long timeout = settings.timeout().toNanos();
        for (Worker worker : workers.values()) {
            if (worker.state == Worker.State.READY && worker.killAt == 0 && now - worker.lastHeartbeat > timeout) {
                hung(worker, now);
            }
            if (worker.killAt != 0 && now - worker.killAt >= 0) {
                Log.line(worker.name(), worker.killReason + "; sending SIGKILL");
                Posix.kill(worker.pid, Signal.KILL.number());
                worker.killAt = 0;
                worker.killReason = null;
            }
        }
    }

    private void hung(Worker worker, long now) {
        String why = "hung: no heartbeat for " + millis(now - worker.lastHeartbeat) + " ms (--timeout "
                + settings.timeout().toSeconds() + " s)";
        // A hung worker is replaced at once; it no longer counts as serving.
        worker.outdated = "hung";
        worker.state = Worker.State.STOPPING;
        if (ProcessState.of(worker.pid) == ProcessState.STOPPED) {
            Log.line(worker.name(), why + "; it is stopped (SIGSTOP), so no thread dump");
            worker.deadline(now, why);
        } else {
            Log.line(worker.name(), why + "; asking it for a thread dump (SIGQUIT)");
            Posix.kill(worker.pid, Signal.QUIT.number());
            worker.deadline(now + THREAD_DUMP_GRACE, why);
        }
    }

    /** The earliest moment the pool needs the loop awake, no later than {@code wake}. */
    long nextWake(long now, long wake, boolean respawning) {
        long timeout = settings.timeout().toNanos();
        for (Worker worker : workers.values()) {
            if (worker.killAt != 0) {
                wake = earliest(wake, worker.killAt);
            }
            if (worker.state == Worker.State.READY) {
                wake = earliest(wake, worker.lastHeartbeat + timeout + 1);
            }
            if (worker.closedAt != 0 && now - worker.closedAt < EXIT_WATCH) {
                // Between closing its fds and becoming reapable a process takes a moment.
                wake = earliest(wake, now + EXIT_POLL);
            }
        }
        if (respawning) {
            for (Slot slot : slots.values()) {
                if (slot.notBefore - now > 0) {
                    wake = earliest(wake, slot.notBefore);
                }
            }
        }
        return wake;
    }

    private static long earliest(long a, long b) {
        return b - a < 0 ? b : a;
    }

    // ---- what the master asks about ----

    boolean isEmpty() {
        return workers.isEmpty();
    }

    long readyCount() {
        return workers.values().stream().filter(w -> w.current() && w.state == Worker.State.READY).count();
    }

    /** Why a new generation should give up: a worker that keeps failing to start. */
    Optional<String> crashLooping(int failedStarts) {
        return slots.values().stream().filter(s -> s.failedStarts >= failedStarts).findFirst()
                .map(s -> s.label(listeners.size() > 1) + " failed to start " + s.failedStarts + " times in a row (last: "
                        + s.lastFailure + ")");
    }

    boolean owns(int pid) {
        return workers.containsKey(pid);
    }

    Collection<Worker> workers() {
        return workers.values();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
