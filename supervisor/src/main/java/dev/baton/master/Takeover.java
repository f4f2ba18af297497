package dev.baton.master;

import dev.baton.posix.Posix;
import dev.baton.signals.Signal;

/**
 * The new master's side of an upgrade, from its start until its old master is gone. The old
 * master's side is {@link Upgrade}.
 *
 * <pre>
 *   TAKING_OVER --every worker ready--> HANDED_OFF   "ready" reported; auto: QUIT to the old master
 *   TAKING_OVER --boot timeout, crash loop--> (exit 1)   "failed" reported; the old master keeps serving
 *   TAKING_OVER, HANDED_OFF --QUIT/TERM/stop to us--> (stopping)   "stop ..." reported: the
 *                                                    service stops, not just this generation
 *   HANDED_OFF --old master gone--> (done): an ordinary master, upgrades allowed again
 *   TAKING_OVER --old master died--> TAKING_OVER: still ready (done) or failed (exit 1, pid files removed)
 * </pre>
 *
 * Until done, USR2 and upgrade requests are refused: a third generation would hand off to us
 * while the first still served. The old master is our parent: while {@code getppid()} names it,
 * it is alive and that pid is it, so a QUIT sent to it cannot reach a process that reused the pid.
 */
final class Takeover {
    enum State { TAKING_OVER, HANDED_OFF }

    private final Inheritance inheritance;
    private State state = State.TAKING_OVER;
    private boolean orphaned;

    Takeover(Inheritance inheritance) {
        this.inheritance = inheritance;
    }

    State state() {
        return state;
    }

    int oldMaster() {
        return inheritance.oldMaster();
    }

    int generation() {
        return inheritance.generation();
    }

    boolean oldMasterAlive() {
        return Posix.parentPid() == inheritance.oldMaster();
    }

    /** True the first time it is called: the old master died before the handoff. */
    boolean orphaned() {
        boolean first = !orphaned;
        orphaned = true;
        return first;
    }

    /** Why this master cannot start an upgrade yet. */
    String refusal() {
        return state == State.TAKING_OVER
                ? "this master is still taking over from pid " + oldMaster() + " (its generation is not ready yet)"
                : "the old master (pid " + oldMaster() + ") has not exited yet";
    }

    /** Every worker is ready: the old master may go. */
    void handOff(long readyMillis, Handoff mode) {
        state = State.HANDED_OFF;
        inheritance.report(Inheritance.READY + " " + readyMillis + " " + mode.word());
        if (mode == Handoff.AUTO && oldMasterAlive()) {
            // The old master acts on the line above; this QUIT is for one that predates it.
            Log.line("master gen " + generation(), "handing off: sending QUIT to old master (pid " + oldMaster() + ")");
            Posix.kill(oldMaster(), Signal.QUIT.number());
        } else if (mode == Handoff.MANUAL) {
            Log.line("master gen " + generation(), "--handoff manual: old master (pid " + oldMaster()
                    + ") serves on until it gets QUIT");
        }
    }

    /** This master gives up; the old master, if alive, keeps serving and tells the operator why. */
    void fail(String reason) {
        inheritance.reportFailure(reason);
    }

    /** The operator stopped this master: the old one stops the same way (it reads this line, no signal). */
    void stopping(Stop how) {
        inheritance.report(Inheritance.STOP + " " + how.word());
    }

    /** The old master is gone: nothing more to tell it. */
    void done() {
        Posix.close(inheritance.reportFd());
    }
}
