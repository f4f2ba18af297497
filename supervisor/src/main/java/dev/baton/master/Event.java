package dev.baton.master;

import dev.baton.control.Request;
import dev.baton.signals.Signal;

/** What wakes the master's loop. Everything reaches the loop through one queue, in order. */
sealed interface Event {

    /** A signal, with the pid that sent it (0 from the kernel or a terminal). */
    record Signalled(Signal signal, int sender) implements Event {
    }

    /** A line a worker wrote on its control channel. */
    record WorkerSaid(Worker worker, String line) implements Event {
    }

    /**
     * A worker's control channel reached end of file: the worker has exited or is exiting. This,
     * not SIGCHLD, is what gets an exited worker reaped promptly (see SignalMask).
     */
    record WorkerClosed(Worker worker) implements Event {
    }

    /** A request on the control socket. */
    record Commanded(Request request) implements Event {
    }

    /** A line the new master of an upgrade in flight wrote on its report pipe. */
    record SuccessorSaid(int pid, String line) implements Event {
    }
}
