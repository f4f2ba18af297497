package dev.baton.master;

import dev.baton.control.Request;
import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import dev.baton.protocol.Command;
import dev.baton.signals.Signal;
import dev.baton.signals.SignalReceiver;
import dev.baton.spawn.ExitStatus;
import dev.baton.systemd.Notifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The master: owns the listening sockets, keeps the workers serving on them, and replaces them
 * without ever closing the sockets.
 *
 * <p>Everything happens on one thread, in {@link #run}: signals, worker reports, the new master's
 * report and control requests arrive on one queue and are handled in order; between events the
 * loop reaps children, keeps the pool at strength and enforces deadlines. Nothing else touches
 * its state, so none of it needs a lock. Nothing one event causes ends the loop: a failure is
 * logged and the master serves on with what it has.
 *
 * <p>A stop goes through one {@link Phase}; an upgrade is an {@link Upgrade} on the old master
 * and a {@link Takeover} on the new one (their classes draw the states); the pid file and the
 * control socket belong to {@link Presence}.
 */
public final class Master {
    private static final long IDLE_WAKEUP = TimeUnit.SECONDS.toNanos(1);
    /** After a failure in the loop, the pause before the next turn, times the failures in a row (at most IDLE_WAKEUP). */
    private static final long LOOP_ERROR_PAUSE = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often a new master that has handed off looks whether its old master is gone yet. */
    private static final long OLD_MASTER_POLL = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long a new master may outlive the graceful timeout when the service stops, before SIGKILL. */
    private static final long SUCCESSOR_GRACE = TimeUnit.SECONDS.toNanos(10);
    /** A new generation whose worker fails to start this many times in a row is given up on. */
    private static final int FAILED_STARTS_BEFORE_ROLLBACK = 3;
    private static final int MAX_WATCHERS = 16;

    /** Serving, or how far a stop has come. */
    enum Phase {
        SERVING,
        /** Stopping gracefully: the health path reports 503 until {@code drainAt}, then DRAINING. */
        ANNOUNCING,
        /** Workers drain; the master exits when they are gone. */
        DRAINING,
        /** Workers got SIGTERM (SIGKILL a second later). */
        TERMINATING
    }

    private final Supplier<Settings> reload;
    private final List<Listener> listeners;
    private final StartContext context;
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
    private final Presence presence;
    private final MasterArchive archive = MasterArchive.fromEnvironment();
    private final Standby standby;

    private Settings settings;
    private LogFile log;
    /** The upgrade this master started, while its new master lives. */
    private Upgrade upgrade;
    /** How this master took over from an old one, until the old one is gone. */
    private Takeover takeover;
    private Phase phase = Phase.SERVING;
    /** When an ANNOUNCING master starts draining. */
    private long drainAt;
    /** When the new master of a stopping service is killed if still there, or 0. */
    private long successorKillAt;
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
        this.takeover = inheritance == null ? null : new Takeover(inheritance);
        this.generation = inheritance == null ? 1 : inheritance.generation();
        this.self = "master gen " + generation;
        this.pool = new WorkerPool(settings, this.listeners, generation, pid, events::add);
        this.notifier = Notifier.fromEnvironment(generation, inheritance == null);
        this.presence = new Presence(settings.pidFile(), pid);
        this.standby = new Standby(self);
    }

    /** Serves until stopped; returns the exit status. */
    public int run() {
        if (settings.log() != null) {
            log = LogFile.open(settings.log());
            pool.sendOutputTo(log.workerOutput());
        }
        for (Listener listener : listeners) {
            Log.line(self, (takeover == null ? "listening on " : "inherited listener ") + listener.display());
        }
        Log.line(self, "started (pid " + pid + "), " + settings.workers() + " workers"
                + (listeners.size() > 1 ? " per listener" : "") + ": " + String.join(" ", settings.command()));
        Log.line(self, pool.jvmCacheLine());
        Log.line(self, "class-data archive: " + archive.describe());
        // The workers first: the rest takes milliseconds, their JVMs a hundred times that.
        try {
            pool.upkeep(System.nanoTime());
        } catch (RuntimeException e) {
            loopError(e, "");
        }
        SignalReceiver.start((signal, sender) -> events.add(new Event.Signalled(signal, sender)));
        try {
            // Written only now that the sockets are ours: whoever reads the pid file can rely on a
            // master that owns the port behind it.
            presence.claim(r -> events.add(new Event.Commanded(r)));
        } catch (RuntimeException e) {
            cannotClaim(e.getMessage());
        }

        int failuresInARow = 0;
        while (!finished()) {
            try {
                turn();
                failuresInARow = 0;
            } catch (RuntimeException e) {
                failuresInARow++;
                long pause = Math.min(LOOP_ERROR_PAUSE * failuresInARow, IDLE_WAKEUP);
                loopError(e, " in " + millis(pause) + " ms");
                LockSupport.parkNanos(pause);
            }
        }
        archive.abandon();
        standby.abandon();
        presence.release();
        Log.line(self, "exiting with status " + exitCode);
        return exitCode;
    }

    /** Unicorn's "master loop error": whatever one event broke, the workers still serve. */
    private void loopError(RuntimeException e, String when) {
        Log.line(self, "master loop error: " + e + " at " + where(e) + "; carrying on" + when);
    }

    /** One turn of the loop: upkeep, one event (or a deadline), then reaping and deadlines. */
    private void turn() {
        long now = System.nanoTime();
        if (phase == Phase.SERVING) {
            pool.upkeep(now);
        } else if (phase == Phase.ANNOUNCING && now - drainAt >= 0) {
            phase = Phase.DRAINING;
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
        pool.reap(now, phase == Phase.SERVING);
        reapSuccessor(now);
        archive.reap(self);
        watchOldMaster();
        standby.reap(now);
        standby.upkeep(keepsStandby(), startsStandby(), now, context, listeners, pid, generation + 1, events::add);
        if (pid == 1) {
            Orphans.reap(self, child -> pool.owns(child) || upgrade != null && upgrade.pid == child || archive.pid() == child);
        }
        pool.enforceDeadlines(now);
        notifier.workers((int) pool.readyCount(), pool.wanted());
        checkGeneration(now);
    }

    private static String where(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        return trace.length == 0 ? "?" : trace[0].getClassName().replaceAll(".*\\.", "") + "." + trace[0].getMethodName()
                + ":" + trace[0].getLineNumber();
    }

    /** Stopped, with every worker gone, and the new master too if the whole service stops. */
    private boolean finished() {
        return phase != Phase.SERVING && pool.isEmpty() && (upgrade == null || upgrade.state() != Upgrade.State.STOPPING);
    }

    private void onSignal(Signal signal, int sender) {
        String why = signal + (sender > 0 ? " from pid " + sender : "");
        switch (signal) {
            case QUIT -> {
                if (isAttachRequest()) {
                    Log.line(self, why + " ignored: it is a jcmd attach request (.attach_pid file present)");
                } else {
                    stopRequested(Stop.GRACEFUL, sender, why);
                }
            }
            case TERM, INT -> stopRequested(Stop.QUICK, sender, why);
            case USR2 -> startUpgrade(why, null, false);
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
                watchUpgrade(request);
                request.say("ok watching");
            }
            case "upgrade" -> {
                if (!request.argument().isEmpty() && !request.argument().equals("wait")) {
                    request.answer("error upgrade takes nothing or 'wait', got '" + request.argument() + "'");
                    return;
                }
                startUpgrade("upgrade request", request, request.argument().equals("wait"));
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
                stopRequested(request.argument().isEmpty() ? Stop.GRACEFUL : Stop.QUICK, 0, "stop request");
                request.answer("ok stopping");
            }
            default -> request.answer("error unknown request '" + request.verb()
                    + "' (known: status, upgrade [wait], watch-upgrade, reload, scale N, stop [quick])");
        }
    }

    // ---- what operators change between deploys ----

    private String resize(int count, String why) {
        if (phase != Phase.SERVING) {
            Log.line(self, why + " ignored: stopping");
            return "error the master is stopping";
        }
        if (count < 0 || count > Settings.MAX_WORKERS) {
            return "error workers must be from 0 to " + Settings.MAX_WORKERS;
        }
        pool.resize(count, why);
        return "ok workers=" + pool.perListener();
    }

    /** HUP: the config file again, applied by replacing workers one batch at a time. */
    private String reloadSettings(String why) {
        if (phase != Phase.SERVING) {
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

    /**
     * QUIT, TERM, INT or a stop request. During an upgrade that is not yet handed off it stops the
     * service, not one generation: the other master is told to stop the same way.
     */
    private void stopRequested(Stop how, int sender, String why) {
        if (upgrade != null && upgrade.handsOff(how, sender)) {
            handedOff(how, why);
            return;
        }
        if (upgrade != null && (upgrade.pending() || upgrade.state() == Upgrade.State.STOPPING)) {
            stopService(how, why);
            return;
        }
        if (takeover != null && phase == Phase.SERVING) {
            Log.line(self, why + ": the service stops: so does the old master (pid " + takeover.oldMaster() + ")");
            takeover.stopping(how);
        }
        stop(how, why);
    }

    /** Both generations stop: the new master the same way as this one, which waits for it. */
    private void stopService(Stop how, String why) {
        Log.line(self, why + ": the service stops: so does the new master (pid " + upgrade.pid + ")");
        upgrade.stopService(how);
        successorKillAt = System.nanoTime() + settings.gracefulTimeout().toNanos() + SUCCESSOR_GRACE;
        stop(how, why);
    }

    /** The new generation serves: this one drains, straight away (load balancers need not know). */
    private void handedOff(Stop how, String why) {
        upgrade.handedOff();
        notifier.handedOver();
        tellUpgradeWatchers("upgraded old=" + pid + " new=" + upgrade.pid + " ms=" + millis(System.nanoTime() - upgrade.startedAt));
        stop(how, why + ": handed off to the new master (pid " + upgrade.pid + ")");
    }

    private void stop(Stop how, String why) {
        if (phase == Phase.TERMINATING || how == Stop.GRACEFUL && phase != Phase.SERVING) {
            return;
        }
        notifier.stopping(why);
        long now = System.nanoTime();
        boolean announce = upgrade == null && settings.healthPath() != null && !settings.healthDelay().isZero();
        if (how == Stop.QUICK) {
            phase = Phase.TERMINATING;
            Log.line(self, why + ": stopping now");
            pool.terminateAll(now);
        } else if (announce) {
            // Load balancers find out from the health check first; only then do connections stop.
            phase = Phase.ANNOUNCING;
            drainAt = now + settings.healthDelay().toNanos();
            Log.line(self, why + ": stopping gracefully; " + settings.healthPath() + " reports 503 for "
                    + settings.healthDelay().toMillis() + " ms before workers drain");
            pool.tellAll(Command.UNHEALTHY);
        } else {
            phase = Phase.DRAINING;
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
        long wake = pool.nextWake(now, now + IDLE_WAKEUP, phase == Phase.SERVING);
        if (phase == Phase.ANNOUNCING && drainAt - wake < 0) {
            wake = drainAt;
        }
        if (successorKillAt != 0 && successorKillAt - wake < 0) {
            wake = successorKillAt;
        }
        if (takeover != null && takeover.state() == Takeover.State.HANDED_OFF && now + OLD_MASTER_POLL - wake < 0) {
            wake = now + OLD_MASTER_POLL;
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
        if (generationReady || phase != Phase.SERVING) {
            return;
        }
        long ready = pool.readyCount();
        if (ready >= pool.wanted()) {
            generationReady = true;
            Log.line(self, "all " + pool.wanted() + " workers ready, " + millis(now - startedAt) + " ms after start");
            archive.train(self);
            if (takeover != null) {
                // systemd must know the new main process before the old one exits, or it stops the service.
                notifier.takeOver(pid);
                takeover.handOff(millis(now - startedAt), settings.handoff());
            } else {
                notifier.ready();
            }
            return;
        }
        if (takeover == null) {
            return;
        }
        if (now - startedAt > settings.bootTimeout().toNanos()) {
            abandon("workers not ready within --boot-timeout " + settings.bootTimeout().toSeconds() + " s ("
                    + ready + " of " + pool.wanted() + " ready)");
            return;
        }
        pool.crashLooping(FAILED_STARTS_BEFORE_ROLLBACK).ifPresent(this::abandon);
    }

    /** A new generation that cannot get ready stops, and the old one, still serving, takes back its pid file. */
    private void abandon(String reason) {
        Log.line(self, "upgrade failed: " + reason);
        takeover.fail(reason);
        exitCode = 1;
        if (takeover.oldMasterAlive()) {
            presence.leavePidFile();
        } else {
            presence.removeStaleOldbin(takeover.oldMaster());
        }
        takeover.done();
        takeover = null;
        stop(Stop.QUICK, "giving up");
    }

    /** No pid file or control socket: operators could not find this master, so it stops its workers and exits. */
    private void cannotClaim(String reason) {
        if (takeover != null) {
            abandon(reason);
        } else {
            exitCode = 1;
            stop(Stop.QUICK, reason);
        }
    }

    /** A new master whose old master is gone is an ordinary master: it may be upgraded. */
    private void watchOldMaster() {
        if (takeover == null || takeover.oldMasterAlive()) {
            return;
        }
        if (takeover.state() == Takeover.State.TAKING_OVER) {
            // Still an upgrade: it succeeds when the generation is ready, and fails as any would.
            if (takeover.orphaned()) {
                Log.line(self, "old master (pid " + takeover.oldMaster() + ") died during the upgrade; "
                        + "this generation must get ready on its own");
            }
            return;
        }
        Log.line(self, "old master (pid " + takeover.oldMaster() + ") is gone; upgrades are possible again");
        presence.removeStaleOldbin(takeover.oldMaster());
        takeover.done();
        takeover = null;
    }

    /**
     * Whether this master may have a standby: while it serves alone, never as pid 1 (which cannot
     * hand over).
     */
    private boolean keepsStandby() {
        return settings.standby() && Standby.supported() && phase == Phase.SERVING && upgrade == null && takeover == null
                && pid != 1;
    }

    /**
     * Whether one may start now: a master's start costs CPU, so only once every worker is ready
     * and the archive it maps is written; never beside a generation still getting ready or a
     * worker crash-looping.
     */
    private boolean startsStandby() {
        return generationReady && pool.readyCount() >= pool.wanted() && archive.pid() == 0;
    }

    /** Starts a new master, unless that would make a third generation or a master is stopping. */
    private void startUpgrade(String why, Request requester, boolean wait) {
        // The old master may have exited since the last turn of the loop: whoever saw it go (an
        // operator, a deploy script) may upgrade at once.
        watchOldMaster();
        String refusal = phase != Phase.SERVING ? "this master is stopping"
                : upgrade != null ? "an upgrade is already in flight (new master pid " + upgrade.pid + ")"
                : takeover != null ? takeover.refusal()
                // When a namespace's pid 1 exits, the kernel kills every process in it: the new master too.
                : pid == 1 ? "as pid 1 (a container's init) this master cannot hand over: deploy a new container instead"
                : null;
        if (refusal != null) {
            Log.line(self, why + " refused: " + refusal);
            if (requester != null) {
                requester.answer("refused " + refusal);
            } else if (upgrade == null) {
                // Watchers who came for this USR2; with an upgrade in flight they get its outcome.
                tellUpgradeWatchers("refused " + refusal);
            }
            return;
        }
        notifier.reloading(generation + 1);
        presence.stepAside();
        int woken = standby.wake();
        try {
            upgrade = woken != 0 ? Upgrade.woken(woken, generation + 1)
                    : Upgrade.start(context, listeners, pid, generation + 1, events::add);
        } catch (RuntimeException e) {
            Log.line(self, "upgrade failed: cannot start new master: " + e.getMessage());
            if (requester != null) {
                requester.answer("failed cannot start new master: " + e.getMessage());
            }
            tellUpgradeWatchers("failed cannot start new master: " + e.getMessage());
            notifier.upgradeFailed("cannot start new master: " + e.getMessage());
            presence.stepBack();
            return;
        }
        Log.line(self, why + ": " + (woken != 0 ? "woke standby master" : "started new master") + " (pid " + upgrade.pid
                + ") for generation " + (generation + 1) + " in " + context.directory());
        if (requester != null) {
            if (wait) {
                requester.say("ok started new=" + upgrade.pid);
                watchUpgrade(requester);
            } else {
                requester.answer("ok started new=" + upgrade.pid);
            }
        }
    }

    private void onSuccessorLine(int child, String line) {
        if (child == standby.pid()) {
            standby.onLine(line);
            return;
        }
        if (upgrade == null || upgrade.pid != child) {
            return;
        }
        switch (upgrade.onLine(line)) {
            case READY -> {
                notifier.handedOver();
                Log.line(self, "generation " + upgrade.generation + " ready (new master pid " + child + "); "
                        + "--handoff manual: serving on until QUIT");
                tellUpgradeWatchers("ready old=" + pid + " new=" + child + " ms=" + millis(System.nanoTime() - upgrade.startedAt));
            }
            case HANDED_OFF -> {
                Log.line(self, "generation " + upgrade.generation + " ready (new master pid " + child + ")");
                handedOff(Stop.GRACEFUL, "new master ready");
            }
            case STOP -> stopService(upgrade.stop(), "new master (pid " + child + ") was told to stop");
            case NOTHING -> {
            }
        }
    }

    private void reapSuccessor(long now) {
        if (upgrade == null) {
            return;
        }
        int raw = Posix.waitNoHang(upgrade.pid);
        if (raw == Posix.STILL_RUNNING) {
            if (successorKillAt != 0 && now - successorKillAt >= 0) {
                Log.line(self, "new master (pid " + upgrade.pid + ") still running; sending SIGKILL");
                upgrade.kill();
                successorKillAt = 0;
            }
            return;
        }
        ExitStatus status = ExitStatus.of(raw);
        Upgrade ended = upgrade;
        upgrade = null;
        successorKillAt = 0;
        if (ended.diedAsWoken() && phase == Phase.SERVING) {
            Log.line(self, "standby master (pid " + ended.pid + ") " + (ended.stale() != null ? "out of date: " + ended.stale()
                    : status + " as it was woken") + "; starting a new master instead");
            try {
                upgrade = Upgrade.start(context, listeners, pid, generation + 1, events::add);
                Log.line(self, "started new master (pid " + upgrade.pid + ") for generation " + (generation + 1));
                return;
            } catch (RuntimeException e) {
                Log.line(self, "cannot start new master: " + e.getMessage());
            }
        }
        if (ended.pending()) {
            String why = ended.failure() != null ? ended.failure() : "new master " + status;
            Log.line(self, "upgrade failed: " + why + " (new master pid " + ended.pid + " " + status
                    + "); generation " + generation + " keeps serving");
            tellUpgradeWatchers("failed " + why);
            notifier.upgradeFailed(why);
            presence.stepBack();
        } else if (ended.state() == Upgrade.State.HANDED_OFF && ended.stop() == null && phase != Phase.TERMINATING) {
            // Our workers are draining, but new ones can be started at once: better than no service.
            Log.line(self, "new master (pid " + ended.pid + ") " + status + " after taking over: generation "
                    + generation + " serves again");
            phase = Phase.SERVING;
            generationReady = false;
            presence.stepBack();
        } else {
            Log.line(self, "new master (pid " + ended.pid + ") " + status);
        }
    }

    /** Each watcher holds an fd: past the bound, the oldest goes, so a flood cannot shut out the next deploy. */
    private void watchUpgrade(Request request) {
        if (waitingForUpgrade.size() >= MAX_WATCHERS) {
            waitingForUpgrade.remove(0).answer("error more than " + MAX_WATCHERS + " connections watch the upgrade");
        }
        waitingForUpgrade.add(request);
    }

    /** Answers every control connection waiting for an upgrade's outcome. */
    private void tellUpgradeWatchers(String outcome) {
        waitingForUpgrade.forEach(r -> r.answer(outcome));
        waitingForUpgrade.clear();
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
        if (phase != Phase.SERVING) {
            return upgrade != null && upgrade.state() == Upgrade.State.HANDED_OFF ? "handed-off" : "stopping";
        }
        return upgrade != null ? "upgrading" : takeover != null && takeover.state() == Takeover.State.TAKING_OVER
                ? "taking-over" : "serving";
    }

    MasterArchive archive() {
        return archive;
    }

    int successorPid() {
        return upgrade == null ? 0 : upgrade.pid;
    }

    Standby standby() {
        return standby;
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
}
