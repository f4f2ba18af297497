package dev.baton.master;

import dev.baton.posix.Posix;
import java.nio.charset.StandardCharsets;

/** One worker process as the master sees it. Touched only by the master's loop thread. */
final class Worker {
    enum State { STARTING, READY, STOPPING }

    final int number;
    final int generation;
    final int pid;
    final long spawnedAt;
    private final int controlFd;
    State state = State.STARTING;
    long readyAt;
    /** When the master kills it with SIGKILL (System.nanoTime), or 0 for never. */
    long killAt;
    String killReason;

    Worker(int number, int generation, int pid, int controlFd, long spawnedAt) {
        this.number = number;
        this.generation = generation;
        this.pid = pid;
        this.controlFd = controlFd;
        this.spawnedAt = spawnedAt;
    }

    /** Writes a line on the control channel; a worker that is gone already reads nothing. */
    void send(String message) {
        Posix.write(controlFd, (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    void closeChannel() {
        Posix.close(controlFd);
    }

    void deadline(long at, String reason) {
        if (killAt == 0 || at < killAt) {
            killAt = at;
            killReason = reason;
        }
    }

    String name() {
        return "gen " + generation + " worker " + number + " (pid " + pid + ")";
    }
}
