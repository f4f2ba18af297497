package dev.baton.master;

import dev.baton.control.ControlServer;
import dev.baton.control.Request;
import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import dev.baton.posix.PosixException;
import dev.baton.protocol.Command;
import dev.baton.signals.Signal;
import dev.baton.signals.SignalMask;
import dev.baton.signals.SignalReceiver;
import dev.baton.spawn.ExitStatus;
import dev.baton.spawn.Spawn;
import dev.baton.systemd.Notifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The master: owns the listening sockets, keeps the workers serving on them, and replaces them
 * without ever closing the sockets.
 *
 * <p>Everything happens on one thread, in {@link #run}: signals, worker reports, the new master's
 * report and control requests arrive on one queue and are handled in order; between events the
 * loop reaps children, keeps the pool at strength and enforces deadlines. Nothing else touches
 * its state, so none of it needs a lock.
 */
public final class Master {
    private static final long IDLE_WAKEUP = TimeUnit.SECONDS.toNanos(1);
    /** A new generation whose worker fails to start this many times in a row is given up on. */
    private static final int FAILED_STARTS_BEFORE_ROLLBACK = 3;
    private static final int MAX_WORKERS = 256;

    private enum Stop { GRACEFUL, QUICK }

    private final Supplier<Settings> reload;
    private final List<Listener> listeners;
    private final StartContext context;
    private final Inheritance inheritance;
    private final int generation;
    private final int pid = Posix.pid();
    private final long startedAt = System.nanoTime();
    private final Instant startedAtWall = Instant.now();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final WorkerPool pool;
    private final String self;
    /** Control connections waiting for the outcome of the next upgrade, or of the one in flight. */
    private final List<Request> waitingForUpgrade = new ArrayList<>();
    private final Notifier notifier;

    private Settings settings;
    private LogFile log;
    /** Where our pid is written: the pid file, or its .oldbin while a new master takes over. */
    private Path pidPath;
    private ControlServer control;
    private Successor successor;
    private Stop stopping;
    /** When a stopping node, having reported 503 to load balancers long enough, starts draining. */
    private long drainAt;
    /** Whether we are stopping because a new master took over: the service itself is not stopping. */
    private boolean handedOff;
    private boolean generationReady;
    private int exitCode;

    /**
     * @param reload      reads the settings again, as at start (HUP); throws with a message fit for the log
     * @param inheritance how an old master handed over to this one, or null for a first start
     */
    public Master(Settings settings, Supplier<Settings> reload, List<Listener> listeners, StartContext context,
                  Inheritance inheritance) {
        this.settings = settings;
        this.reload = reload;
        this.listeners = List.copyOf(listeners);
        this.context = context;
        this.inheritance = inheritance;
        this.generation = inheritance == null ? 1 : inheritance.generation();
        this.self = "master gen " + generation;
        this.pool = new WorkerPool(settings, this.listeners, generation, pid, events::add);
        this.notifier = Notifier.fromEnvironment(generation, inheritance == null);
    }

    /** Serves until stopped; returns the exit status. */
    public int run() {
        if (settings.log() != null) {
            log = LogFile.open(settings.log());
            pool.sendOutputTo(log.workerOutput());
        }
        for (Listener listener : listeners) {
            Log.line(self, (inheritance == null ? "listening on " : "inherited listener ") + listener.display());
        }
        // Written only now that the sockets are ours: whoever reads the pid file can rely on a
        // master that owns the port behind it.
        if (settings.pidFile() != null) {
            PidFile.write(settings.pidFile(), pid);
            pidPath = settings.pidFile();
            openControlSocket();
        }
        SignalReceiver.start((signal, sender) -> events.add(new Event.Signalled(signal, sender)));
        Log.line(self, "started (pid " + pid + "), " + settings.workers() + " workers"
                + (listeners.size() > 1 ? " per listener" : "") + ": " + String.join(" ", settings.command()));

        while (stopping == null || !pool.isEmpty()) {
            long now = System.nanoTime();
            if (stopping == null) {
                pool.upkeep(now);
            } else if (drainAt != 0 && now - drainAt >= 0) {
                drainAt = 0;
                Log.line(self, "draining workers");
                pool.quitAll(now);
            }
            Event event = nextEvent();
            if (event instanceof Event.Signalled s) {
                onSignal(s.signal(), s.sender());
            } else if (event instanceof Event.WorkerSaid w) {
                pool.onLine(w.worker(), w.line(), System.nanoTime());
            } else if (event instanceof Event.WorkerClosed w) {
                pool.closed(w.worker(), System.nanoTime());
            } else if (event instanceof Event.SuccessorSaid s) {
                onSuccessorLine(s.pid(), s.line());
            } else if (event instanceof Event.Commanded c) {
                onRequest(c.request());
            }
            now = System.nanoTime();
            pool.reap(now, stopping == null);
            reapSuccessor();
            if (pid == 1) {
                Orphans.reap(self, child -> pool.owns(child) || successor != null && successor.pid == child);
            }
            pool.enforceDeadlines(now);
            notifier.workers((int) pool.readyCount(), pool.wanted());
            checkGeneration(now);
        }
        if (pidPath != null) {
            PidFile.removeIfOwned(pidPath, pid);
        }
        if (control != null) {
            control.close();
        }
        Log.line(self, "exiting with status " + exitCode);
        return exitCode;
    }

    private void onSignal(Signal signal, int sender) {
        String why = signal + (sender > 0 ? " from pid " + sender : "");
        switch (signal) {
            case QUIT -> quit(sender, why);
            case TERM, INT -> stop(Stop.QUICK, why);
            case USR2 -> startSuccessor(why);
            case HUP -> reloadSettings(why);
            case TTIN -> resize(pool.perListener() + 1, why);
            case TTOU -> resize(pool.perListener() - 1, why);
            case WINCH -> resize(0, why);
            case USR1 -> reopenLogs(why);
            case CHLD -> {
                // Reaping follows every event.
            }
            default -> throw new IllegalStateException("unexpected " + signal);
        }
    }

    private void onRequest(Request request) {
        switch (request.verb()) {
            case "status" -> request.answer(request.argument().equals("text") ? Status.text(this) : Status.json(this));
            case "watch-upgrade" -> {
                waitingForUpgrade.add(request);
                request.say("ok watching");
            }
            case "reload" -> request.answer(reloadSettings("reload request"));
            case "scale" -> {
                try {
                    request.answer(resize(Integer.parseInt(request.argument()), "scale request"));
                } catch (NumberFormatException e) {
                    request.answer("error scale takes a number of workers, got '" + request.argument() + "'");
                }
            }
            case "stop" -> {
                if (!request.argument().isEmpty() && !request.argument().equals("quick")) {
                    request.answer("error stop takes nothing or 'quick', got '" + request.argument() + "'");
                    return;
                }
                stop(request.argument().isEmpty() ? Stop.GRACEFUL : Stop.QUICK, "stop request");
                request.answer("ok stopping");
            }
            default -> request.answer("error unknown request '" + request.verb()
                    + "' (known: status, watch-upgrade, reload, scale N, stop [quick])");
        }
    }

    // ---- what operators change between deploys ----

    private String resize(int count, String why) {
        if (stopping != null) {
            Log.line(self, why + " ignored: stopping");
            return "error the master is stopping";
        }
        if (count < 0 || count > MAX_WORKERS) {
            return "error workers must be from 0 to " + MAX_WORKERS;
        }
        pool.resize(count, why);
        return "ok workers=" + pool.perListener();
    }

    /** HUP: the config file again, applied by replacing workers one batch at a time. */
    private String reloadSettings(String why) {
        if (stopping != null) {
            Log.line(self, why + " ignored: stopping");
            return "error the master is stopping";
        }
        Settings next;
        try {
            next = reload.get();
        } catch (RuntimeException e) {
            Log.line(self, why + ": config not reloaded, nothing changed: " + e.getMessage());
            return "error " + e.getMessage();
        }
        if (!settings.sameMasterAs(next)) {
            Log.line(self, why + ": listen, pid and log changes take effect with an upgrade (USR2), not a reload");
        }
        settings = settings.reloadedWith(next);
        pool.reconfigure(settings);
        Log.line(self, why + ": reloaded; replacing " + (next.rollingBatch() == 1 ? "workers one at a time" : "workers "
                + next.rollingBatch() + " at a time") + ", " + next.workers() + " wanted: " + String.join(" ", next.command()));
        return "ok reloading";
    }

    private void reopenLogs(String why) {
        if (log != null) {
            log.reopen();
        }
        Log.line(self, why + ": reopened " + (log != null ? settings.log() : "nothing (logging to stderr)")
                + "; telling workers to reopen theirs");
        pool.tellAll(Command.REOPEN_LOGS);
    }

    // ---- stopping ----

    private void quit(int sender, String why) {
        if (isAttachRequest()) {
            Log.line(self, why + " ignored: it is a jcmd attach request (.attach_pid file present)");
            return;
        }
        if (successor != null && sender == successor.pid) {
            handedOff = true;
            notifier.handedOver();
            tellUpgradeWatchers("upgraded old=" + pid + " new=" + successor.pid + " ms="
                    + millis(System.nanoTime() - successor.startedAt));
        }
        stop(Stop.GRACEFUL, why);
    }

    private void stop(Stop how, String why) {
        if (stopping == Stop.QUICK || stopping == how) {
            return;
        }
        stopping = how;
        notifier.stopping(why);
        long now = System.nanoTime();
        if (how == Stop.QUICK) {
            drainAt = 0;
            Log.line(self, why + ": stopping now");
            pool.terminateAll(now);
        } else if (!handedOff && settings.healthPath() != null && !settings.healthDelay().isZero()) {
            // Load balancers find out from the health check first; only then do connections stop.
            drainAt = now + settings.healthDelay().toNanos();
            Log.line(self, why + ": stopping gracefully; " + settings.healthPath() + " reports 503 for "
                    + settings.healthDelay().toMillis() + " ms before workers drain");
            pool.tellAll(Command.UNHEALTHY);
        } else {
            Log.line(self, why + ": stopping gracefully (workers drain, up to " + settings.gracefulTimeout().toSeconds() + " s)");
            pool.quitAll(now);
        }
    }

    /** jcmd falls back to SIGQUIT plus an .attach_pid file when the attach listener is not running. */
    private boolean isAttachRequest() {
        String name = ".attach_pid" + pid;
        return Files.exists(Path.of(name)) || Files.exists(Path.of("/tmp", name));
    }

    /** Waits for the next event, but no longer than the nearest deadline. */
    private Event nextEvent() {
        long now = System.nanoTime();
        long wake = pool.nextWake(now, now + IDLE_WAKEUP, stopping == null);
        if (drainAt != 0 && drainAt - wake < 0) {
            wake = drainAt;
        }
        try {
            return events.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("master loop interrupted", e);
        }
    }

    // ---- generations and upgrades ----

    /** Notices the moment this generation is fully ready, and, for a new master, hands off or gives up. */
    private void checkGeneration(long now) {
        if (generationReady || stopping != null) {
            return;
        }
        long ready = pool.readyCount();
        if (ready >= pool.wanted()) {
            generationReady = true;
            Log.line(self, "all " + pool.wanted() + " workers ready, " + millis(now - startedAt) + " ms after start");
            if (inheritance != null) {
                handOff(now);
            } else {
                notifier.ready();
            }
            return;
        }
        if (inheritance == null) {
            return;
        }
        if (now - startedAt > settings.bootTimeout().toNanos()) {
            abandon("workers not ready within --boot-timeout " + settings.bootTimeout().toSeconds() + " s ("
                    + ready + " of " + pool.wanted() + " ready)");
            return;
        }
        pool.crashLooping(FAILED_STARTS_BEFORE_ROLLBACK).ifPresent(this::abandon);
    }

    private void handOff(long now) {
        // systemd must know the new main process before the old one exits, or it stops the service.
        notifier.takeOver(pid);
        inheritance.report("ready " + millis(now - startedAt) + " " + settings.handoff().name().toLowerCase(Locale.ROOT));
        if (settings.handoff() == Handoff.AUTO) {
            Log.line(self, "handing off: sending QUIT to old master (pid " + inheritance.oldMaster() + ")");
            Posix.kill(inheritance.oldMaster(), Signal.QUIT.number());
        } else {
            Log.line(self, "--handoff manual: old master (pid " + inheritance.oldMaster() + ") serves on until it gets QUIT");
        }
        Posix.close(inheritance.reportFd());
    }

    /** A new generation that cannot get ready stops, and the old one, still serving, takes back its pid file. */
    private void abandon(String reason) {
        Log.line(self, "upgrade failed: " + reason);
        inheritance.reportFailure(reason);
        Posix.close(inheritance.reportFd());
        exitCode = 1;
        // The old master moves its .oldbin back over the pid file; leave that to it.
        pidPath = null;
        stop(Stop.QUICK, "giving up");
    }

    private void startSuccessor(String why) {
        if (stopping != null) {
            Log.line(self, why + " refused: this master is stopping");
            tellUpgradeWatchers("refused this master is stopping");
            return;
        }
        if (successor != null) {
            // Watchers that came for this USR2 get the outcome of the upgrade in flight.
            Log.line(self, why + " refused: an upgrade is already in flight (new master pid " + successor.pid + ")");
            return;
        }
        if (pid == 1) {
            // When a namespace's pid 1 exits, the kernel kills every process in it: the new master too.
            Log.line(self, why + " refused: as pid 1 (a container's init) this master cannot hand over; "
                    + "deploy a new container instead");
            tellUpgradeWatchers("refused pid 1 cannot hand over: deploy a new container instead");
            return;
        }
        notifier.reloading(generation + 1);
        Path pidFile = settings.pidFile();
        if (pidFile != null && PidFile.move(pidFile, PidFile.oldbin(pidFile), pid)) {
            pidPath = PidFile.oldbin(pidFile);
            moveControlSocket(ControlServer.pathFor(pidPath));
        }
        int[] report = Posix.pipe();
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(Inheritance.environment(pid, generation + 1, listeners.size()));
        Spawn spawn = Spawn.command(context.argv())
                .environment(environment)
                .directory(context.directory())
                .blocking(SignalMask.blockedForMaster());
        for (int i = 0; i < listeners.size(); i++) {
            spawn.fd(3 + i, listeners.get(i).fd());
        }
        spawn.fd(3 + listeners.size(), report[1]);
        try {
            int child = spawn.start();
            successor = new Successor(child, System.nanoTime());
            LineReader.start("baton-successor-" + child, report[0], line -> events.add(new Event.SuccessorSaid(child, line)));
            Log.line(self, why + ": started new master (pid " + child + ") for generation " + (generation + 1)
                    + " in " + context.directory());
        } catch (PosixException e) {
            Posix.close(report[0]);
            Log.line(self, "upgrade failed: cannot start new master: " + e.getMessage());
            tellUpgradeWatchers("failed cannot start new master: " + e.getMessage());
            notifier.upgradeFailed("cannot start new master: " + e.getMessage());
            restorePidFile();
        } finally {
            Posix.close(report[1]);
        }
    }

    private void onSuccessorLine(int child, String line) {
        if (successor == null || successor.pid != child) {
            return;
        }
        if (line.startsWith("ready ")) {
            notifier.handedOver();
            String[] words = line.split(" ");
            Log.line(self, "generation " + (generation + 1) + " ready (new master pid " + child + ", " + words[1] + " ms)");
            if (words.length > 2 && words[2].equals("manual")) {
                tellUpgradeWatchers("ready old=" + pid + " new=" + child + " ms=" + millis(System.nanoTime() - successor.startedAt));
            }
        } else if (line.startsWith("failed ")) {
            successor.failure = line.substring(7);
        }
    }

    private void reapSuccessor() {
        if (successor == null) {
            return;
        }
        int raw = Posix.waitNoHang(successor.pid);
        if (raw == Posix.STILL_RUNNING) {
            return;
        }
        ExitStatus status = ExitStatus.of(raw);
        String why = successor.failure != null ? successor.failure : "new master " + status;
        Log.line(self, "upgrade failed: " + why + " (new master pid " + successor.pid + " " + status
                + "); generation " + generation + " keeps serving");
        tellUpgradeWatchers("failed " + why);
        notifier.upgradeFailed(why);
        successor = null;
        restorePidFile();
    }

    private void restorePidFile() {
        Path pidFile = settings.pidFile();
        if (pidFile != null && PidFile.move(PidFile.oldbin(pidFile), pidFile, pid)) {
            pidPath = pidFile;
            moveControlSocket(ControlServer.pathFor(pidFile));
        }
    }

    /** Answers every control connection waiting for an upgrade's outcome. */
    private void tellUpgradeWatchers(String outcome) {
        waitingForUpgrade.forEach(r -> r.answer(outcome));
        waitingForUpgrade.clear();
    }

    private void openControlSocket() {
        try {
            control = ControlServer.open(ControlServer.pathFor(pidPath), r -> events.add(new Event.Commanded(r)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open control socket next to " + pidPath + ": " + e.getMessage(), e);
        }
    }

    /** The control socket follows the pid file, so {@code <pid>.sock} always reaches the serving master. */
    private void moveControlSocket(Path target) {
        try {
            control.moveTo(target);
        } catch (IOException e) {
            Log.line(self, "cannot move control socket to " + target + ": " + e.getMessage());
        }
    }

    // ---- what status reports ----

    int pid() {
        return pid;
    }

    int generation() {
        return generation;
    }

    Instant startedAt() {
        return startedAtWall;
    }

    String state() {
        return stopping != null ? (handedOff ? "handed-off" : "stopping") : successor != null ? "upgrading" : "serving";
    }

    int successorPid() {
        return successor == null ? 0 : successor.pid;
    }

    List<Listener> listeners() {
        return listeners;
    }

    WorkerPool pool() {
        return pool;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** The new master of an upgrade in flight: our child until the handoff orphans it. */
    private static final class Successor {
        final int pid;
        final long startedAt;
        String failure;

        Successor(int pid, long startedAt) {
            this.pid = pid;
            this.startedAt = startedAt;
        }
    }
}
