package dev.baton.master;

import dev.baton.control.ControlServer;
import dev.baton.control.Request;
import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import dev.baton.posix.PosixException;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The master: owns the listening sockets, keeps N workers serving on them, and replaces them
 * without ever closing the sockets.
 *
 * <p>Everything happens on one thread, in {@link #run}: signals, worker reports and the new
 * master's report arrive on one queue and are handled in order; between events the loop reaps
 * children, respawns missing workers and enforces deadlines. Nothing else touches its state.
 */
public final class Master {
    /**
     * A worker's fds: 0 is its listener, inetd style, because System.inheritedChannel() adopts
     * fd 0 and no other without native code or JVM flags. So each listener has workers of its own.
     */
    private static final int WORKER_CONTROL_IN = 3;
    private static final int WORKER_CONTROL_OUT = 4;
    private static final Duration QUICK_STOP = Duration.ofSeconds(1);
    private static final Duration IDLE_WAKEUP = Duration.ofSeconds(1);
    /** A new generation whose worker fails to start this many times in a row is given up on. */
    private static final int FAILED_STARTS_BEFORE_ROLLBACK = 3;
    private static final List<String> NOT_FOR_WORKERS = List.of(
            "_JAVA_SR_SIGNUM", "BATON_LAUNCHER", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET");

    private enum Stop { GRACEFUL, QUICK }

    private final Settings settings;
    private final List<Listener> listeners;
    private final StartContext context;
    private final Inheritance inheritance;
    private final int generation;
    private final int pid = Posix.pid();
    private final long startedAt = System.nanoTime();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Map<Integer, Worker> workers = new LinkedHashMap<>();
    private final Slot[] slots;
    private final String self;
    private final Notifier notifier;

    /** Where our pid is written: the pid file, or its .oldbin while a successor starts. */
    private Path pidPath;
    private ControlServer control;
    /** Control connections waiting for the outcome of the next upgrade, and of the one in flight. */
    private final List<Request> waitingForUpgrade = new ArrayList<>();
    private Successor successor;
    private Stop stopping;
    private boolean generationReady;
    private int exitCode;

    /** @param inheritance how an old master handed over to this one, or null for a first start */
    public Master(Settings settings, List<Listener> listeners, StartContext context, Inheritance inheritance) {
        this.settings = settings;
        this.listeners = List.copyOf(listeners);
        this.context = context;
        this.inheritance = inheritance;
        this.generation = inheritance == null ? 1 : inheritance.generation();
        this.slots = new Slot[settings.workers() * this.listeners.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
        this.self = "master gen " + generation;
        this.notifier = Notifier.fromEnvironment(generation, inheritance == null);
    }

    /** Serves until stopped; returns the exit status. */
    public int run() {
        for (Listener listener : listeners) {
            Log.line(self, (inheritance == null ? "listening on " : "inherited listener ") + listener.display());
        }
        // Written only now that the sockets are ours: whoever reads the pid file can rely on a
        // master that owns the port behind it.
        if (settings.pidFile() != null) {
            PidFile.write(settings.pidFile(), pid);
            pidPath = settings.pidFile();
            try {
                control = ControlServer.open(ControlServer.pathFor(pidPath), r -> events.add(new Event.Commanded(r)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open control socket next to " + pidPath + ": " + e.getMessage(), e);
            }
        }
        SignalReceiver.start((signal, sender) -> events.add(new Event.Signalled(signal, sender)));
        Log.line(self, "started (pid " + pid + "), " + settings.workers() + " workers"
                + (listeners.size() > 1 ? " per listener" : "") + ": " + String.join(" ", settings.command()));

        while (stopping == null || !workers.isEmpty()) {
            if (stopping == null) {
                spawnMissingWorkers();
            }
            Event event = nextEvent();
            if (event instanceof Event.Signalled s) {
                onSignal(s.signal(), s.sender());
            } else if (event instanceof Event.WorkerSaid w) {
                onWorkerLine(w.worker(), w.line());
            } else if (event instanceof Event.SuccessorSaid s) {
                onSuccessorLine(s.pid(), s.line());
            } else if (event instanceof Event.Commanded c) {
                onRequest(c.request());
            }
            reapChildren();
            enforceDeadlines();
            notifier.workers((int) workers.values().stream().filter(w -> w.state == Worker.State.READY).count(), slots.length);
            checkGeneration();
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
        String from = sender > 0 ? " from pid " + sender : "";
        switch (signal) {
            case QUIT -> {
                if (isAttachRequest()) {
                    Log.line(self, "QUIT" + from + " ignored: it is a jcmd attach request (.attach_pid file present)");
                } else {
                    if (successor != null && sender == successor.pid) {
                        notifier.handedOver();
                        tellUpgradeWatchers("upgraded old=" + pid + " new=" + successor.pid + " ms="
                                + millis(System.nanoTime() - successor.startedAt));
                    }
                    stop(Stop.GRACEFUL, "QUIT" + from);
                }
            }
            case TERM, INT -> stop(Stop.QUICK, signal + from);
            case USR2 -> startSuccessor(from);
            case CHLD -> {
                // Reaping follows every event.
            }
            case HUP, TTIN, TTOU, WINCH, USR1 -> Log.line(self, signal + from + " ignored: not supported yet");
            default -> throw new IllegalStateException("unexpected " + signal);
        }
    }

    private void onWorkerLine(Worker worker, String line) {
        if (line.equals("ready")) {
            if (worker.state == Worker.State.STARTING) {
                worker.state = Worker.State.READY;
                worker.readyAt = System.nanoTime();
                worker.killAt = 0;
                slots[worker.number].succeeded();
                Log.line(worker.name(), "ready in " + millis(worker.readyAt - worker.spawnedAt) + " ms");
            }
        } else if (!line.startsWith("heartbeat ") && !line.equals("draining")) {
            Log.line(worker.name(), "said something unexpected on its control channel: " + line);
        }
    }

    private void onRequest(Request request) {
        switch (request.verb()) {
            case "watch-upgrade" -> {
                waitingForUpgrade.add(request);
                request.say("ok watching");
            }
            default -> request.answer("error unknown request '" + request.verb() + "'");
        }
    }

    /** Answers every control connection waiting for an upgrade's outcome. */
    private void tellUpgradeWatchers(String outcome) {
        waitingForUpgrade.forEach(r -> r.answer(outcome));
        waitingForUpgrade.clear();
    }

    // ---- stopping ----

    private void stop(Stop how, String why) {
        if (stopping == Stop.QUICK || stopping == how) {
            return;
        }
        stopping = how;
        notifier.stopping(why);
        long now = System.nanoTime();
        if (how == Stop.GRACEFUL) {
            Log.line(self, why + ": stopping gracefully (workers drain, up to " + settings.gracefulTimeout().toSeconds() + " s)");
            for (Worker worker : workers.values()) {
                worker.state = Worker.State.STOPPING;
                worker.send("quit");
                worker.deadline(now + settings.gracefulTimeout().toNanos(),
                        "outlived --graceful-timeout " + settings.gracefulTimeout().toSeconds() + " s");
            }
        } else {
            Log.line(self, why + ": stopping now");
            for (Worker worker : workers.values()) {
                worker.state = Worker.State.STOPPING;
                Posix.kill(worker.pid, Signal.TERM.number());
                worker.killAt = 0;
                worker.deadline(now + QUICK_STOP.toNanos(), "still running " + QUICK_STOP.toMillis() + " ms after SIGTERM");
            }
        }
    }

    /** jcmd falls back to SIGQUIT plus an .attach_pid file when the attach listener is not running. */
    private boolean isAttachRequest() {
        String name = ".attach_pid" + pid;
        return Files.exists(Path.of(name)) || Files.exists(Path.of("/tmp", name));
    }

    // ---- workers ----

    private void spawnMissingWorkers() {
        boolean[] taken = new boolean[slots.length];
        for (Worker worker : workers.values()) {
            if (worker.state != Worker.State.STOPPING && worker.number < taken.length) {
                taken[worker.number] = true;
            }
        }
        long now = System.nanoTime();
        for (int number = 0; number < slots.length; number++) {
            if (!taken[number] && slots[number].notBefore <= now) {
                spawnWorker(number);
            }
        }
    }

    private void spawnWorker(int number) {
        int[] down = Posix.pipe();
        int[] up = Posix.pipe();
        Spawn spawn = Spawn.command(settings.command())
                .environment(workerEnvironment(number))
                .fd(0, listeners.get(number / settings.workers()).fd())
                .fd(WORKER_CONTROL_IN, down[0])
                .fd(WORKER_CONTROL_OUT, up[1]);
        long now = System.nanoTime();
        int child;
        try {
            child = spawn.start();
        } catch (PosixException e) {
            Posix.close(down[1]);
            Posix.close(up[0]);
            slots[number].failed(now, "could not start: " + e.getMessage());
            Log.line(self, "cannot start worker " + number + ": " + e.getMessage() + retryNote(number, now));
            return;
        } finally {
            Posix.close(down[0]);
            Posix.close(up[1]);
        }
        Worker worker = new Worker(number, generation, child, down[1], now);
        worker.deadline(now + settings.bootTimeout().toNanos(),
                "not ready within --boot-timeout " + settings.bootTimeout().toSeconds() + " s");
        workers.put(child, worker);
        LineReader.start("baton-worker-" + child, up[0], line -> events.add(new Event.WorkerSaid(worker, line)));
        Log.line(worker.name(), "spawned");
    }

    private Map<String, String> workerEnvironment(int number) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        NOT_FOR_WORKERS.forEach(environment::remove);
        Inheritance.VARIABLES.forEach(environment::remove);
        environment.put("BATON_MASTER_PID", Integer.toString(pid));
        environment.put("BATON_GENERATION", Integer.toString(generation));
        environment.put("BATON_WORKER", Integer.toString(number));
        environment.put("BATON_GRACEFUL_TIMEOUT", Long.toString(settings.gracefulTimeout().toSeconds()));
        if (settings.warmupPath() != null) {
            environment.put("BATON_WARMUP_PATH", settings.warmupPath());
            environment.put("BATON_WARMUP_REQUESTS", Integer.toString(settings.warmupRequests()));
        }
        return environment;
    }

    private void reapChildren() {
        long now = System.nanoTime();
        for (Iterator<Worker> it = workers.values().iterator(); it.hasNext(); ) {
            Worker worker = it.next();
            int raw = Posix.waitNoHang(worker.pid);
            if (raw == Posix.STILL_RUNNING) {
                continue;
            }
            it.remove();
            worker.closeChannel();
            ExitStatus status = ExitStatus.of(raw);
            Slot slot = slots.length > worker.number ? slots[worker.number] : null;
            if (worker.state == Worker.State.STARTING) {
                if (slot != null) {
                    slot.failed(now, status.toString());
                }
                Log.line(worker.name(), status + " before it was ready" + (stopping == null ? retryNote(worker.number, now) : ""));
            } else if (worker.state == Worker.State.READY) {
                if (slot != null) {
                    slot.exitedAfterReady(now);
                }
                Log.line(worker.name(), status + (stopping == null ? "; respawning" : ""));
            } else {
                Log.line(worker.name(), status.toString());
            }
        }
        if (successor != null) {
            reapSuccessor();
        }
    }

    private String retryNote(int number, long now) {
        Slot slot = slots[number];
        return "; respawning in " + slot.delayMillis(now) + " ms (" + slot.failedStarts + " failed start"
                + (slot.failedStarts == 1 ? "" : "s") + " in a row)";
    }

    private void enforceDeadlines() {
        long now = System.nanoTime();
        for (Worker worker : workers.values()) {
            if (worker.killAt != 0 && now - worker.killAt >= 0) {
                Log.line(worker.name(), worker.killReason + ": sending SIGKILL");
                Posix.kill(worker.pid, Signal.KILL.number());
                worker.killAt = 0;
            }
        }
    }

    /** Waits for the next event, but no longer than the nearest deadline. */
    private Event nextEvent() {
        long now = System.nanoTime();
        long wake = now + IDLE_WAKEUP.toNanos();
        for (Worker worker : workers.values()) {
            if (worker.killAt != 0 && worker.killAt - wake < 0) {
                wake = worker.killAt;
            }
        }
        if (stopping == null) {
            for (Slot slot : slots) {
                if (slot.notBefore - now > 0 && slot.notBefore - wake < 0) {
                    wake = slot.notBefore;
                }
            }
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
    private void checkGeneration() {
        if (generationReady || stopping != null) {
            return;
        }
        long ready = workers.values().stream().filter(w -> w.state == Worker.State.READY).count();
        if (ready >= slots.length) {
            generationReady = true;
            Log.line(self, "all " + slots.length + " workers ready, " + millis(System.nanoTime() - startedAt)
                    + " ms after start");
            if (inheritance != null) {
                handOff();
            } else {
                notifier.ready();
            }
            return;
        }
        if (inheritance == null) {
            return;
        }
        long age = System.nanoTime() - startedAt;
        if (age > settings.bootTimeout().toNanos()) {
            abandon("workers not ready within --boot-timeout " + settings.bootTimeout().toSeconds() + " s ("
                    + ready + " of " + slots.length + " ready)");
            return;
        }
        for (int number = 0; number < slots.length; number++) {
            if (slots[number].failedStarts >= FAILED_STARTS_BEFORE_ROLLBACK) {
                abandon("worker " + number + " failed to start " + slots[number].failedStarts + " times in a row (last: "
                        + slots[number].lastFailure + ")");
                return;
            }
        }
    }

    private void handOff() {
        long took = millis(System.nanoTime() - startedAt);
        // systemd must know the new main process before the old one exits, or it stops the service.
        notifier.takeOver(pid);
        inheritance.report("ready " + took + " " + settings.handoff().name().toLowerCase(Locale.ROOT));
        if (settings.handoff() == Handoff.AUTO) {
            Log.line(self, "handing off: sending QUIT to old master (pid " + inheritance.oldMaster() + ")");
            Posix.kill(inheritance.oldMaster(), Signal.QUIT.number());
        } else {
            Log.line(self, "--handoff manual: old master (pid " + inheritance.oldMaster()
                    + ") serves on until it gets QUIT");
        }
        Posix.close(inheritance.reportFd());
    }

    /** A new generation that cannot get ready stops, and the old one, still serving, takes back its pid file. */
    private void abandon(String reason) {
        Log.line(self, "upgrade failed: " + reason);
        inheritance.reportFailure(reason);
        Posix.close(inheritance.reportFd());
        exitCode = 1;
        // The old master moves its .oldbin back over the pid file; leave it ours until then.
        pidPath = null;
        stop(Stop.QUICK, "giving up");
    }

    private void startSuccessor(String from) {
        if (stopping != null) {
            Log.line(self, "USR2" + from + " refused: this master is stopping");
            tellUpgradeWatchers("refused this master is stopping");
            return;
        }
        if (successor != null) {
            // Watchers that came for this USR2 get the outcome of the upgrade in flight.
            Log.line(self, "USR2" + from + " refused: an upgrade is already in flight (new master pid " + successor.pid + ")");
            return;
        }
        if (pid == 1) {
            // When a namespace's pid 1 exits, the kernel kills every process in it: the new master too.
            Log.line(self, "USR2" + from + " refused: as pid 1 (a container's init) this master cannot hand over; "
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
            Log.line(self, "USR2" + from + ": started new master (pid " + child + ") for generation " + (generation + 1)
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
            Log.line(self, "generation " + (generation + 1) + " ready (new master pid " + child + ", "
                    + words[1] + " ms)");
            if (words.length > 2 && words[2].equals("manual")) {
                tellUpgradeWatchers("ready old=" + pid + " new=" + child + " ms=" + millis(System.nanoTime() - successor.startedAt));
            }
        } else if (line.startsWith("failed ")) {
            successor.failure = line.substring(7);
        }
    }

    private void reapSuccessor() {
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

    /** The control socket follows the pid file, so {@code <pid>.sock} always reaches the serving master. */
    private void moveControlSocket(Path target) {
        try {
            control.moveTo(target);
        } catch (IOException e) {
            Log.line(self, "cannot move control socket to " + target + ": " + e.getMessage());
        }
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
