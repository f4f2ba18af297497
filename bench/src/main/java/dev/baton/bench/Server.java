package dev.baton.bench;

/** A server under test: hello, one way or another, on a loopback port. */
interface Server extends AutoCloseable {
    /** Starts serving version 1; returns once it answers. */
    void start() throws Exception;

    int port();

    /** Replaces the running server by one serving {@code version}; returns once the old one is gone. */
    RestartTiming restart(String version) throws Exception;

    /**
     * Until the server is as a deploy minutes after the last would find it (Baton: its standby
     * master parked), so that what it does between deploys weighs on no measured window.
     */
    default void settle() throws Exception {
    }

    /** The resident memory (VmRSS, KiB) of the master serving now, as its {@code status} says it; -1 for a server without one. */
    default long masterRssKib() {
        return -1;
    }

    /** Stops it, gracefully where it can. The sandbox kills whatever is left. */
    @Override
    void close() throws Exception;
}
