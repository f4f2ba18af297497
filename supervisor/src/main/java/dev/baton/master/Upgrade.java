package dev.baton.master;

import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import dev.baton.signals.Signal;
import dev.baton.signals.SignalMask;
import dev.baton.spawn.Spawn;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The old master's side of an upgrade: the new master it started, from USR2 until that master
 * has taken over or is gone. The new master's side is {@link Takeover}; the lines between them
 * are defined in {@link Inheritance}.
 *
 * <pre>
 *   (none) --USR2 / upgrade request--> BOOTING        pid file moved to .oldbin; standby woken, or new master spawned
 *   BOOTING --"ready auto", or QUIT from the new master--> HANDED_OFF   we drain and exit
 *   BOOTING --"ready manual"--> READY                 both generations serve
 *   READY --QUIT or TERM (anyone)--> HANDED_OFF       the operator finishes a manual handoff
 *   BOOTING --QUIT/TERM/stop to us, or "stop ..." from the new master--> STOPPING
 *                                                     the service stops: both masters drain, we exit
 *                                                     after the new master, pid files removed
 *   BOOTING, READY --new master exits--> (none)       upgrade failed: pid file back, we keep serving
 *   HANDED_OFF --new master dies (not stopped) before we are gone--> (none)   we serve again
 *   STOPPING --new master exits--> (none)             we finish stopping
 * </pre>
 *
 * Any USR2 or upgrade request while this object exists is refused: at most two generations.
 * The new master is our child until we exit, so signalling its pid can never reach a stranger.
 */
final class Upgrade {
    enum State { BOOTING, READY, HANDED_OFF, STOPPING }

    /** What a line from the new master asks of us. */
    enum Said { NOTHING, READY, HANDED_OFF, STOP }

    final int pid;
    final int generation;
    final long startedAt;
    /** Whether it was a {@link Standby}, woken; and whether it has taken the upgrade since. */
    final boolean woken;
    private boolean heard;
    /** Why a woken standby found itself out of date, or null. */
    private String stale;
    private final BiConsumer<Integer, Signal> signaller;
    private State state = State.BOOTING;
    /** Why the new master said it failed, or null. */
    private String failure;
    /** How the new master said the service stops, when it said so. */
    private Stop stop;

    Upgrade(int pid, int generation, long startedAt, boolean woken, BiConsumer<Integer, Signal> signaller) {
        this.woken = woken;
        this.signaller = signaller;
        this.pid = pid;
        this.generation = generation;
        this.startedAt = startedAt;
    }

    /**
     * Starts the new master with our listeners and a report pipe, as we were started.
     *
     * @throws dev.baton.posix.PosixException if it cannot be started
     */
    static Upgrade start(StartContext context, List<Listener> listeners, int oldMaster, int generation,
                         Consumer<Event> events) {
        return of(spawn(context, listeners, oldMaster, generation, events, -1), generation, false);
    }

    /** The upgrade a woken {@link Standby} carries out. */
    static Upgrade woken(int pid, int generation) {
        return of(pid, generation, true);
    }

    private static Upgrade of(int pid, int generation, boolean woken) {
        return new Upgrade(pid, generation, System.nanoTime(), woken, (p, signal) -> Posix.kill(p, signal.number()));
    }

    /**
     * Starts a next master and reads its report pipe; with {@code goFd} (a pipe's read end, else
     * -1) it is a {@link Standby} that parks on it. Returns its pid.
     */
    static int spawn(StartContext context, List<Listener> listeners, int oldMaster, int generation,
                     Consumer<Event> events, int goFd) {
        int[] report = Posix.pipe();
        try {
            Map<String, String> environment = MasterArchive.childEnvironment();
            environment.putAll(Inheritance.environment(oldMaster, generation, listeners.size()));
            Spawn spawn = Spawn.command(context.argv())
                    .directory(context.directory())
                    .blocking(SignalMask.blockedForMaster());
            for (int i = 0; i < listeners.size(); i++) {
                spawn.fd(3 + i, listeners.get(i).fd());
            }
            spawn.fd(3 + listeners.size(), report[1]);
            if (goFd >= 0) {
                spawn.fd(4 + listeners.size(), goFd);
                environment.put(Standby.GO_FD, Integer.toString(4 + listeners.size()));
            }
            int child = spawn.environment(environment).start();
            LineReader.start("baton-successor-" + child, report[0], line -> events.accept(new Event.SuccessorSaid(child, line)));
            report[0] = -1;
            return child;
        } finally {
            if (report[0] >= 0) {
                Posix.close(report[0]);
            }
            Posix.close(report[1]);
        }
    }

    State state() {
        return state;
    }

    String failure() {
        return failure;
    }

    Stop stop() {
        return stop;
    }

    Said onLine(String line) {
        if (line.startsWith(Standby.STALE + " ")) {
            stale = line.substring(Standby.STALE.length() + 1);
            return Said.NOTHING;
        }
        heard = true;
        String[] words = line.split(" ", 3);
        switch (words[0]) {
            case Inheritance.READY -> {
                if (state != State.BOOTING) {
                    return Said.NOTHING;
                }
                boolean manual = words.length > 2 && words[2].equals(Handoff.MANUAL.word());
                if (manual) {
                    state = State.READY;
                    return Said.READY;
                }
                return Said.HANDED_OFF;
            }
            case Inheritance.FAILED -> {
                failure = line.substring(Inheritance.FAILED.length()).strip();
                return Said.NOTHING;
            }
            case Inheritance.STOP -> {
                if (words.length < 2 || Stop.of(words[1]).isEmpty() || state == State.STOPPING) {
                    return Said.NOTHING;
                }
                stop = Stop.of(words[1]).get();
                // After the handoff it only tells us not to serve again when the new master is gone.
                return state == State.HANDED_OFF ? Said.NOTHING : Said.STOP;
            }
            default -> {
                return Said.NOTHING;
            }
        }
    }

    /** Whether a QUIT or TERM from {@code sender} now hands off rather than stops the service. */
    boolean handsOff(Stop how, int sender) {
        return state == State.READY || state == State.BOOTING && how == Stop.GRACEFUL && sender == pid;
    }

    void handedOff() {
        state = State.HANDED_OFF;
    }

    /** The service stops: the new master stops the same way, and we wait for it. */
    void stopService(Stop how) {
        state = State.STOPPING;
        signaller.accept(pid, how == Stop.QUICK ? Signal.TERM : Signal.QUIT);
    }

    /** The new master outlived our stop: kill it, it is our child (its workers see their pipe close). */
    void kill() {
        signaller.accept(pid, Signal.KILL);
    }

    /** Why the woken standby did not take the upgrade, if it said. */
    String stale() {
        return stale;
    }

    /**
     * A woken standby that exits without taking the upgrade (out of date, or dead as it was woken
     * or just before) leaves it to a master started afresh, not to a failure.
     */
    boolean diedAsWoken() {
        return woken && !heard && state == State.BOOTING;
    }

    /** Whether the new master still has to take over: a failure if it exits. */
    boolean pending() {
        return state == State.BOOTING || state == State.READY;
    }
}
