package dev.baton.worker;

import dev.baton.protocol.WorkerEnvironment;
import dev.baton.protocol.WorkerFds;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A worker's life under a master: adopt the socket on fd 0, warm up, wait until ready, serve until
 * told to stop (or until the master disappears), drain, exit. Every way out of here ends the JVM,
 * so that stray application threads cannot keep a drained worker around.
 */
final class SupervisedWorker implements MasterLink.Commands {

    private static final Duration HEARTBEAT_PERIOD = Duration.ofSeconds(1);

    private final HttpHandler handler;
    private final ServeOptions options;
    private final WorkerEnv env;
    private final EventLog log;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final ExecutorService reopenLogs = Executors.newSingleThreadExecutor(
            daemon("baton-reopen-logs"));
    private volatile boolean masterGone;
    private MasterLink link;
    private HttpWorkerServer server;

    private SupervisedWorker(HttpHandler handler, ServeOptions options, WorkerEnv env) {
        this.handler = handler;
        this.options = options;
        this.env = env;
        this.log = EventLog.supervised(env.generation(), env.workerNumber());
    }

    static void run(HttpHandler handler, ServeOptions options, WorkerEnv env) {
        SupervisedWorker worker = new SupervisedWorker(handler, options, env);
        try {
            worker.serve();
        } catch (Throwable t) {
            worker.log.event("failed: " + t);
            System.exit(1);
        }
    }

    private void serve() throws IOException {
        ServerSocketChannel socket = inheritedSocket();
        try {
            link = MasterLink.inherited(log);
        } catch (IOException e) {
            exitWith("cannot open the control pipes " + WorkerFds.procPath(WorkerFds.COMMANDS) + " and "
                    + WorkerFds.procPath(WorkerFds.REPORTS) + " (" + e.getMessage() + "); was this started by a master?");
            return;
        }
        try {
            server = HttpWorkerServer.adopt(socket, handler, options, env.healthPath(),
                    HttpWorkerServer.DEFAULT_IDLE_GRACE);
        } catch (IllegalStateException e) {
            exitWith(e.getMessage());
            return;
        }
        log.event("starting on inherited socket " + HttpWorkerServer.hostPort(server.localAddress()));
        link.startReading(this);

        if (env.warmsUp() && stop.getCount() > 0) {
            warmUp();
        }
        if (stop.getCount() > 0 && Readiness.await(options.readinessCheck(), stop, log)) {
            server.startAccepting();
            link.ready();
            log.event("ready");
            startHeartbeat();
        }
        awaitStop();
        drainAndExit();
    }

    /** fd 0 must be the master's listening socket; anything else is a set-up error. */
    private ServerSocketChannel inheritedSocket() throws IOException {
        Channel inherited = System.inheritedChannel();
        if (!(inherited instanceof ServerSocketChannel)) {
            String found = inherited == null
                    ? "System.inheritedChannel() is null"
                    : inherited.getClass().getName();
            exitWith("fd 0 is not a listening TCP socket (" + found + "), but " + WorkerEnvironment.MASTER_PID
                    + " is set: a master should have put its socket there");
        }
        return (ServerSocketChannel) inherited;
    }

    private void warmUp() {
        long started = System.nanoTime();
        int ok = new WarmUp(env.warmupPath(), env.warmupRequests(), WarmUp.REQUEST_TIMEOUT)
                .run(server);
        log.event("warmed up: " + ok + "/" + env.warmupRequests() + " requests to "
                + env.warmupPath() + " succeeded in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
    }

    private void startHeartbeat() {
        new Heartbeat(server.requestThreads(), server::completedRequests, link::heartbeat)
                .start(Executors.newSingleThreadScheduledExecutor(daemon("baton-heartbeat")),
                        HEARTBEAT_PERIOD);
    }

    private void awaitStop() {
        boolean interrupted = false;
        while (true) {
            try {
                stop.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // only the master decides when this worker stops
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainAndExit() {
        if (masterGone) {
            log.event("master gone (EOF on the control pipe)");
        }
        int inFlight = server.inFlight();
        link.draining();
        log.event("draining (" + inFlight + " in flight)");
        int forced = server.drain(env.gracefulTimeout());
        if (forced > 0) {
            log.event("graceful timeout of " + env.gracefulTimeout().toSeconds() + " s reached; closed "
                    + forced + " connection(s) still busy");
        }
        log.event("drained, exiting");
        System.exit(0);
    }

    @Override
    public void quit() {
        stop.countDown();
    }

    @Override
    public void term() {
        log.event("term: exiting without draining");
        // Like Unicorn's exit!: no drain and no shutdown hooks, which could hang.
        Runtime.getRuntime().halt(0);
    }

    @Override
    public void reopenLogs() {
        log.event("reopening logs");
        reopenLogs.execute(() -> {
            try {
                options.onReopenLogs().run();
            } catch (RuntimeException e) {
                log.event("reopen-logs hook failed: " + e);
            }
        });
    }

    @Override
    public void unhealthy() {
        log.event(env.healthPath() == null
                ? "unhealthy: no " + WorkerEnvironment.HEALTH_PATH + " to report it on; serving on"
                : "unhealthy: " + env.healthPath() + " answers 503 from now on; serving on");
        server.takeOutOfRotation();
    }

    @Override
    public void masterGone() {
        masterGone = stop.getCount() > 0;
        stop.countDown();
    }

    private void exitWith(String message) {
        log.event(message);
        System.exit(1);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
