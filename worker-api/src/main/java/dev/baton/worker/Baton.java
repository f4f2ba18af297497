package dev.baton.worker;

import dev.baton.worker.runtime.Application;
import dev.baton.worker.runtime.WorkerRuntime;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

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
        WorkerRuntime runtime = WorkerRuntime.current();
        HttpWorkerServer server;
        if (runtime.supervised()) {
            try {
                server = HttpWorkerServer.adopt(runtime.inheritedChannel(), handler, options,
                        runtime.healthPath(), HttpWorkerServer.DEFAULT_IDLE_GRACE);
            } catch (IOException | IllegalStateException e) {
                runtime.log("cannot serve on the master's socket: " + e.getMessage());
                System.exit(1);
                return;
            }
        } else {
            try {
                server = HttpWorkerServer.bind(runtime.listenAddress(), handler, options,
                        runtime.healthPath(), HttpWorkerServer.DEFAULT_IDLE_GRACE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + runtime.listenSetting() + ": " + e.getMessage(), e);
            }
        }
        runtime.serve(server, new Application() {
            @Override
            public boolean ready() {
                return options.readinessCheck().getAsBoolean();
            }

            @Override
            public void onReopenLogs() {
                options.onReopenLogs().run();
            }
        });
    }

    /** Whether this JVM was started by a Baton master. */
    public static boolean supervised() {
        return WorkerRuntime.current().supervised();
    }

    /** The master's generation counter for this worker (it grows with each upgrade); 0 standalone. */
    public static int generation() {
        return WorkerRuntime.current().generation();
    }

    /** This worker's slot number within its generation; 0 standalone. */
    public static int workerNumber() {
        return WorkerRuntime.current().workerNumber();
    }
}
