package dev.baton.master;

import dev.baton.posix.Posix;
import dev.baton.protocol.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** One worker process as the master sees it. Touched only by the master's loop thread. */
final class Worker {
    enum State { STARTING, READY, STOPPING }

    final Slot slot;
    final int generation;
    final int pid;
    final long spawnedAt;
    private final int controlFd;
    private final String name;
    State state = State.STARTING;
    long readyAt;
    long lastHeartbeat;
    /** When its control channel reached end of file (System.nanoTime), or 0. */
    long closedAt;
    long requests;
    /** Requests after which it is recycled (0: never); jittered so workers do not recycle together. */
    final long requestLimit;
    /** Why it is to be replaced (a reload, a recycle), or null while it is current. */
    String outdated;
    /** When the master kills it with SIGKILL (System.nanoTime), or 0 for never. */
    long killAt;
    String killReason;
    /** What it does with the JVM cache: uses an archive, trains one, or neither. */
    JvmCache.Use jvmCache;

    Worker(Slot slot, String label, int generation, int pid, int controlFd, long spawnedAt, long requestLimit) {
        this.slot = slot;
        this.generation = generation;
        this.pid = pid;
        this.controlFd = controlFd;
        this.spawnedAt = spawnedAt;
        this.requestLimit = requestLimit;
        this.name = "gen " + generation + " " + label + " (pid " + pid + ")";
    }

    /** Writes a line on the control channel; a worker that is gone already reads nothing. */
    void send(Command command) {
        Posix.write(controlFd, (command.line() + "\n").getBytes(StandardCharsets.UTF_8));
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

    boolean current() {
        return state != State.STOPPING && outdated == null;
    }

    /** Resident memory in KiB, from /proc; 0 if the process is gone. */
    long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Gone, or a kernel without the field.
        }
        return 0;
    }

    String name() {
        return name;
    }
}
