package dev.baton.worker.runtime;

import dev.baton.protocol.WorkerEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The part of a Baton worker that is the same for every HTTP server: the master link, readiness,
 * heartbeats, the health path's rules, the drain and the exit. An adapter builds its server on
 * {@link #inheritedChannel()} and hands it to {@link #start}; everything else happens here.
 *
 * <p>Under a master (the environment says so) the worker serves until the master says stop, or
 * until the master is gone; then it drains and exits the JVM with {@code System.exit(0)}, so that
 * stray application threads cannot keep a drained worker alive. Standalone, the server binds
 * {@link #listenAddress()} itself and a shutdown hook drains it.
 */
public final class WorkerRuntime {

    private static volatile WorkerRuntime current;

    private final WorkerEnv env;
    private final EventLog log;
    private final HealthPath healthPath;
    private final AtomicBoolean started = new AtomicBoolean();

    private WorkerRuntime(WorkerEnv env) {
        this.env = env;
        this.log = env.supervised()
                ? EventLog.supervised(env.generation(), env.workerNumber())
                : EventLog.standalone();
        this.healthPath = HealthPath.of(env.healthPath());
    }

    /**
     * This JVM's runtime, from its environment, read once. Under a master a malformed {@code
     * BATON_*} variable ends the JVM with one line on stderr and exit status 1, because a master
     * reads stderr and exit statuses, not stack traces.
     *
     * @throws IllegalStateException naming the variable, if one is malformed and no master runs this
     */
    public static WorkerRuntime current() {
        WorkerRuntime runtime = current;
        if (runtime == null) {
            synchronized (WorkerRuntime.class) {
                runtime = current;
                if (runtime == null) {
                    runtime = new WorkerRuntime(readEnvironment());
                    current = runtime;
                }
            }
        }
        return runtime;
    }

    private static WorkerEnv readEnvironment() {
        try {
            return WorkerEnv.current();
        } catch (IllegalStateException e) {
            if (System.getenv(WorkerEnvironment.MASTER_PID) == null) {
                throw e;
            }
            EventLog.early().event(e.getMessage());
            System.exit(1);
            throw e; // not reached
        }
    }

    /** Whether a Baton master started this JVM. */
    public boolean supervised() {
        return env.supervised();
    }

    /** The master's generation counter (it grows with each upgrade); 0 standalone. */
    public int generation() {
        return env.generation();
    }

    /** This worker's slot number within its generation; 0 standalone. */
    public int workerNumber() {
        return env.workerNumber();
    }

    /** What the server answers health checks with; inactive when no path is configured. */
    public HealthPath healthPath() {
        return healthPath;
    }

    /** How long a drain may take before busy connections are closed regardless. */
    public Duration gracefulTimeout() {
        return env.gracefulTimeout();
    }

    /** Standalone: where to bind ({@code BATON_LISTEN}, default {@code 127.0.0.1:8080}). */
    public InetSocketAddress listenAddress() {
        return env.listenAddress();
    }

    /** {@code BATON_LISTEN} as given, for messages. */
    public String listenSetting() {
        return env.listen() + " (" + WorkerEnv.LISTEN + ")";
    }

    /** One line on stderr in the shape every worker of every generation uses. */
    public void log(String event) {
        log.event(event);
    }

    /**
     * The master's listening socket, on fd 0. Under a master anything else there is a set-up error:
     * it is logged and the JVM exits 1. Never close it (see {@link ServerAdapter}).
     *
     * @throws IllegalStateException when no master started this JVM
     */
    public ServerSocketChannel inheritedChannel() {
        if (!supervised()) {
            throw new IllegalStateException("not started by a Baton master: bind " + listenSetting() + " instead");
        }
        Channel inherited;
        try {
            inherited = System.inheritedChannel();
        } catch (IOException e) {
            inherited = null;
        }
        if (!(inherited instanceof ServerSocketChannel)) {
            String found = inherited == null ? "nothing" : inherited.getClass().getName();
            exitWith("fd 0 is not a listening TCP socket (found " + found + "), but " + WorkerEnvironment.MASTER_PID
                    + " is set: a master should have put its socket there");
        }
        return (ServerSocketChannel) inherited;
    }

    /**
     * Runs {@code server} as this worker, on a thread of the runtime's; returns at once. Under a
     * master: warm-up, readiness, accept, {@code ready}, heartbeats; then, when told, the drain and
     * the exit. Standalone: readiness, accept, and a shutdown hook that drains. The runtime's
     * threads are daemons: the server's own threads, or {@link #serve}, keep the JVM alive.
     *
     * @throws IllegalStateException if called twice in one JVM
     */
    public void start(ServerAdapter server, Application application) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(application, "application");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a Baton worker was already started in this JVM");
        }
        if (supervised()) {
            SupervisedWorker.start(server, application, env, log, healthPath);
        } else {
            StandaloneWorker.start(server, application, env, log, healthPath);
        }
    }

    /** {@link #start}, then parks the calling thread for good: for a {@code main} that must not return. */
    public void serve(ServerAdapter server, Application application) {
        start(server, application);
        Object never = new Object();
        synchronized (never) {
            while (true) {
                try {
                    never.wait();
                } catch (InterruptedException e) {
                    // serving ends with the JVM, not with an interrupt
                }
            }
        }
    }

    /**
     * What an adapter does when its server cannot start. Under a master: one line on stderr and exit
     * status 1, because a master reads those, not stack traces; this does not return. Standalone:
     * returns the exception for the adapter to throw to the application, an {@link
     * UncheckedIOException} naming {@code BATON_LISTEN} if binding failed.
     */
    public RuntimeException cannotStart(Exception cause) {
        if (supervised()) {
            exitWith("cannot serve on the master's socket: " + cause.getMessage());
        }
        if (cause instanceof IOException io) {
            return new UncheckedIOException("cannot listen on " + listenSetting() + ": " + cause.getMessage(), io);
        }
        if (cause instanceof RuntimeException unchecked) {
            return unchecked;
        }
        return new IllegalStateException("the server did not start: " + cause, cause);
    }

    private void exitWith(String message) {
        log.event(message);
        System.exit(1);
    }
}
