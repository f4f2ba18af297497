package dev.baton.master;

/** One worker process as the master sees it. Touched only by the master's loop thread. */
final class Worker {
    enum State { STARTING, READY, STOPPING }

    final Slot slot;
    final int generation;
    final int pid;
    final long spawnedAt;
    /** Where the master writes its commands. */
    final int commandFd;
    private final String name;
    State state = State.STARTING;
    long readyAt;
    /** Whether it ever reported ready (a worker stopped while starting never did). */
    boolean wasReady;
    /** Whether it has served long enough to clear its slot's failed starts. */
    boolean stable;
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

    Worker(Slot slot, String label, int generation, int pid, int commandFd, long spawnedAt, long requestLimit) {
        this.slot = slot;
        this.generation = generation;
        this.pid = pid;
        this.commandFd = commandFd;
        this.spawnedAt = spawnedAt;
        this.requestLimit = requestLimit;
        this.name = "gen " + generation + " " + label + " (pid " + pid + ")";
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

    String name() {
        return name;
    }
}
