package dev.baton.master;

import dev.baton.net.Listener;
import dev.baton.protocol.Command;
import dev.baton.protocol.Report;
import dev.baton.protocol.WorkerEnvironment;
import dev.baton.signals.Signal;
import dev.baton.spawn.ExitStatus;
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
 * configured count; {@code --rolling-batch} bounds how many are replaced at once. A worker that
 * is still starting when it is no longer wanted, or outdated by a reload, is asked to stop like
 * any other, never killed: it may already be accepting on the shared socket while its "ready" is
 * on its way here (in a signal storm the master read one 18 ms late, and its SIGKILL reset three
 * requests). Asked, it either exits before it accepts or drains. Whatever the signals, the
 * generation never has more than wanted + rolling-batch worker processes (draining ones count):
 * a spawn waits for room.
 */
final class WorkerPool {
    static final int STILL_RUNNING = dev.baton.posix.Posix.STILL_RUNNING;
    private static final long QUICK_STOP = TimeUnit.SECONDS.toNanos(1);
    /** After a worker's channel closes, how long and how often to look for its exit. */
    private static final long EXIT_WATCH = TimeUnit.SECONDS.toNanos(1);
    private static final long EXIT_POLL = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a hung worker gets to print the thread dump SIGQUIT asks it for. */
    private static final long THREAD_DUMP_GRACE = TimeUnit.MILLISECONDS.toNanos(500);
    /** A worker that dies sooner than this after it was ready counts as a failed start. */
    private static final long STABLE = TimeUnit.SECONDS.toNanos(10);
    private static final List<String> NOT_FOR_WORKERS = List.of(
            "_JAVA_SR_SIGNUM", "BATON_LAUNCHER", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET");

    private final List<Listener> listeners;
    private final int generation;
    private final int masterPid;
    private final Consumer<Event> events;
    private final WorkerOs os;
    private final Map<String, Slot> slots = new HashMap<>();
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private final String self;
    private Settings settings;
    private JvmCache jvmCache;
    private int perListener;
    /** Where workers' stdout and stderr go: the master's own (-1), or a pipe the master copies to its log. */
    private int outputFd = -1;

    WorkerPool(Settings settings, List<Listener> listeners, int generation, int masterPid, Consumer<Event> events) {
        this(settings, listeners, generation, masterPid, events, WorkerOs.SYSTEM);
    }

    WorkerPool(Settings settings, List<Listener> listeners, int generation, int masterPid, Consumer<Event> events,
               WorkerOs os) {
        this.os = os;
        this.settings = settings;
        this.perListener = settings.workers();
        this.listeners = List.copyOf(listeners);
        this.generation = generation;
        this.masterPid = masterPid;
        this.events = events;
        this.self = "master gen " + generation;
        // Said by the master once its log is open (jvmCacheLine), not here: with --log, nothing
        // but the log file may carry the master's lines.
        this.jvmCache = new JvmCache(settings.jvmCache());
    }

    private void useJvmCache(Settings next) {
        if (!java.util.Objects.equals(jvmCache.dir(), next.jvmCache())) {
            jvmCache = new JvmCache(next.jvmCache());
            Log.line(self, jvmCacheLine());
        }
    }

    /** Where worker JVM caches are kept, for the log. */
    String jvmCacheLine() {
        return "JVM cache: " + (settings.jvmCache() != null ? settings.jvmCache()
                : settings.pidFile() == null ? "off (no --pid to keep it beside: give --jvm-cache DIR)" : "off");
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
            boolean surplus = worker.slot.number >= perListener;
            if (worker.state == Worker.State.STARTING && (surplus || worker.outdated != null)) {
                // Its boot deadline no longer applies: it may be draining what it accepted.
                worker.killAt = 0;
                retire(worker, (surplus ? "no longer wanted" : worker.outdated) + " while starting", now);
            } else if (surplus) {
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
            if (workers.size() >= wanted() + settings.rollingBatch()) {
                // No room: draining or dying workers still hold it.
                return;
            }
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

    /** A worker the master cannot hear, just spawned (its JVM cannot have accepted yet), goes at once: SIGKILL. */
    private void kill(Worker worker, String why) {
        worker.state = Worker.State.STOPPING;
        Log.line(worker.name(), why + " while starting: sending SIGKILL");
        os.signal(worker.pid, Signal.KILL);
        worker.killAt = 0;
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
        Map<String, String> environment = environment(slot);
        JvmCache.Use cache = jvmCache.prepare(settings.command(), environment, now);
        String label = slot.label(listeners.size() > 1);
        WorkerOs.Started started;
        try {
            started = os.start(cache.apply(settings.command()), environment, listeners.get(slot.listener).fd(), outputFd);
        } catch (RuntimeException e) {
            // Out of fds or processes, a command gone: the slot waits as after a failed start.
            jvmCache.exited(cache, false, self);
            slot.failed(now, "could not start: " + e.getMessage());
            Log.line(self, "cannot start " + label + ": " + e.getMessage() + retryNote(slot, now));
            return false;
        }
        long limit = settings.maxRequests() == 0 ? 0
                : settings.maxRequests() + ThreadLocalRandom.current().nextLong(settings.maxRequests() / 10 + 1);
        Worker worker = new Worker(slot, label, generation, started.pid(), started.commandFd(), now, limit);
        // Most often an application that does not speak Baton's protocol at all: say so, since it
        // would otherwise be respawned (with the crash-loop backoff) for no visible reason.
        worker.deadline(now + settings.bootTimeout().toNanos(), "started but never reported ready within --boot-timeout "
                + settings.bootTimeout().toSeconds() + " s: does it use worker-api or an adapter? see README: Serving an application");
        worker.jvmCache = cache;
        workers.put(worker.pid, worker);
        try {
            os.listen(started.reportFd(), "baton-worker-" + worker.pid, line -> events.accept(new Event.WorkerSaid(worker, line)),
                    () -> events.accept(new Event.WorkerClosed(worker)));
        } catch (RuntimeException | OutOfMemoryError e) {
            // Nothing would hear it get ready: it goes, and is reaped like any other.
            Log.line(worker.name(), "cannot read its reports: " + e.getMessage());
            os.close(started.reportFd());
            kill(worker, "unheard");
            return false;
        }
        StartupSteps.firstSpawn(self);
        Log.line(worker.name(), "spawned; JVM cache: " + cache.describe());
        return true;
    }

    private Map<String, String> environment(Slot slot) {
        Map<String, String> environment = MasterArchive.childEnvironment();
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
            worker.wasReady = true;
            worker.readyAt = now;
            worker.lastHeartbeat = now;
            worker.killAt = 0;
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
            long rssMib = os.rssKib(worker.pid) / 1024;
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
        send(worker, Command.QUIT);
        worker.deadline(now + settings.gracefulTimeout().toNanos(),
                "outlived --graceful-timeout " + settings.gracefulTimeout().toSeconds() + " s");
    }

    /** Every worker exits now: SIGTERM, then SIGKILL after a second. */
    void terminateAll(long now) {
        for (Worker worker : workers.values()) {
            worker.state = Worker.State.STOPPING;
            os.signal(worker.pid, Signal.TERM);
            worker.killAt = 0;
            worker.deadline(now + QUICK_STOP, "still running " + TimeUnit.NANOSECONDS.toMillis(QUICK_STOP) + " ms after SIGTERM");
        }
    }

    void tellAll(Command message) {
        workers.values().forEach(w -> send(w, message));
    }

    /** A worker that cannot be told (gone, or its pipe broken) is reaped or timed out like any other. */
    private void send(Worker worker, Command command) {
        try {
            os.send(worker.commandFd, command);
        } catch (RuntimeException e) {
            Log.line(worker.name(), "cannot send '" + command.line() + "': " + e.getMessage());
        }
    }

    /** Resident memory of a process in KiB: a worker, or the master itself. */
    long rssKib(int pid) {
        return os.rssKib(pid);
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
            int raw = os.reap(worker.pid);
            if (raw == STILL_RUNNING) {
                continue;
            }
            it.remove();
            os.close(worker.commandFd);
            ExitStatus status = ExitStatus.of(raw);
            // A trainer stopped while starting holds the classes of a start, not of serving: not kept.
            jvmCache.exited(worker.jvmCache, status.success() && worker.wasReady, worker.name());
            boolean wanted = respawning && worker.state != Worker.State.STOPPING && worker.slot.number < perListener;
            if (worker.state == Worker.State.STARTING) {
                worker.slot.failed(now, status.toString());
                Log.line(worker.name(), status + " before it was ready" + (wanted ? retryNote(worker.slot, now) : ""));
            } else if (worker.state == Worker.State.READY && !worker.stable) {
                // Ready, then dead within seconds: as good as a failed start, and backed off like one.
                worker.slot.failed(now, status + " " + millis(now - worker.readyAt) + " ms after it was ready");
                Log.line(worker.name(), status + " " + millis(now - worker.readyAt) + " ms after it was ready"
                        + (wanted ? retryNote(worker.slot, now) : ""));
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
            if (worker.state == Worker.State.READY && !worker.stable && now - worker.readyAt >= STABLE) {
                worker.stable = true;
                worker.slot.succeeded();
            }
            if (worker.state == Worker.State.READY && worker.killAt == 0 && now - worker.lastHeartbeat > timeout) {
                hung(worker, now);
            }
            if (worker.killAt != 0 && now - worker.killAt >= 0) {
                Log.line(worker.name(), worker.killReason + "; sending SIGKILL");
                os.signal(worker.pid, Signal.KILL);
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
        if (os.stopped(worker.pid)) {
            Log.line(worker.name(), why + "; it is stopped (SIGSTOP), so no thread dump");
            worker.deadline(now, why);
        } else {
            Log.line(worker.name(), why + "; asking it for a thread dump (SIGQUIT)");
            os.signal(worker.pid, Signal.QUIT);
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
