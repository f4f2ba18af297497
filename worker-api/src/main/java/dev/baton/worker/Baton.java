package dev.baton.worker;

import dev.baton.protocol.WorkerEnvironment;
import io.undertow.server.HttpHandler;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an Undertow handler as a Baton worker.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   Baton.serve(exchange -> exchange.getResponseSender().send("hello"));
 * }
 * }</pre>
 *
 * <p>The same application runs with or without a master: under one (the environment says so) it
 * serves on the socket the master passed it and restarts without dropping requests; on its own it
 * binds {@code BATON_LISTEN} (default {@code 127.0.0.1:8080}). No JVM flags, no native code.
 *
 * <p>The accessors below read the environment once; they throw {@link IllegalStateException}
 * naming the variable if a {@code BATON_*} value is malformed.
 */
public final class Baton {

    private static final AtomicBoolean SERVING = new AtomicBoolean();

    private Baton() {
    }

    /** {@link #serve(HttpHandler, ServeOptions)} with default options. */
    public static void serve(HttpHandler handler) {
        serve(handler, ServeOptions.defaults());
    }

    /**
     * Serves {@code handler}; does not return.
     *
     * <p>Under a Baton master: on the inherited socket, until the master says stop; then drains
     * (running requests finish, their responses close the connection) and exits the JVM with
     * {@code System.exit(0)}, so that stray application threads cannot keep a drained worker alive.
     * If the worker cannot start on the master's socket it says why on stderr and exits 1.
     *
     * <p>Standalone: binds itself and serves until the JVM shuts down; a shutdown hook drains.
     *
     * @throws IllegalStateException if called twice, or if a BATON_* variable is malformed
     * @throws java.io.UncheckedIOException if, standalone, the address cannot be bound
     */
    public static void serve(HttpHandler handler, ServeOptions options) {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        if (!SERVING.compareAndSet(false, true)) {
            throw new IllegalStateException("Baton.serve() was already called in this JVM");
        }
        WorkerEnv env;
        try {
            env = WorkerEnv.current();
        } catch (IllegalStateException e) {
            if (System.getenv(WorkerEnvironment.MASTER_PID) == null) {
                throw e;
            }
            // A master reads stderr and exit statuses, not stack traces.
            EventLog.early().event(e.getMessage());
            System.exit(1);
            return;
        }
        if (env.supervised()) {
            SupervisedWorker.run(handler, options, env);
        } else {
            StandaloneWorker.run(handler, options, env);
        }
    }

    /** Whether this JVM was started by a Baton master. */
    public static boolean supervised() {
        return WorkerEnv.current().supervised();
    }

    /** The master's generation counter for this worker (it grows with each upgrade); 0 standalone. */
    public static int generation() {
        return WorkerEnv.current().generation();
    }

    /** This worker's slot number within its generation; 0 standalone. */
    public static int workerNumber() {
        return WorkerEnv.current().workerNumber();
    }
}
