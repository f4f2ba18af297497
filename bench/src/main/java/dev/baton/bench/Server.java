package dev.baton.bench;

/** A server under test: hello, one way or another, on a loopback port. */
interface Server extends AutoCloseable {
    /** Starts serving version 1; returns once it answers. */
    void start() throws Exception;

    int port();

    /** Replaces the running server by one serving {@code version}; returns once the old one is gone. */
    RestartTiming restart(String version) throws Exception;

    /** Stops it, gracefully where it can. The sandbox kills whatever is left. */
    @Override
    void close() throws Exception;
}
