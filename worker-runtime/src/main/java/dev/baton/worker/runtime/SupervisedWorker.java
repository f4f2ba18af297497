package dev.baton.worker.runtime;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * A worker's life under a master: warm up, wait until ready, accept, serve until told to stop (or
 * until the master disappears), drain, exit. Every way out of here ends the JVM, so that stray
 * application threads cannot keep a drained worker around.
 */
final class SupervisedWorker implements MasterLink.Commands {

    private static final Duration HEARTBEAT_PERIOD = Duration.ofSeconds(1);

    private final ServerAdapter server;
    private final Application application;
    private final WorkerEnv env;
    private final EventLog log;
    private final HealthPath healthPath;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final ExecutorService hooks = Executors.newSingleThreadExecutor(daemon("baton-hooks"));
    private volatile boolean masterGone;
    private MasterLink link;

    private SupervisedWorker(ServerAdapter server, Application application, WorkerEnv env, EventLog log,
            HealthPath healthPath) {
        this.server = server;
        this.application = application;
        this.env = env;
        this.log = log;
        this.healthPath = healthPath;
    }

    static void start(ServerAdapter server, Application application, WorkerEnv env, EventLog log,
            HealthPath healthPath) {
        SupervisedWorker worker = new SupervisedWorker(server, application, env, log, healthPath);
        try {
            worker.link = MasterLink.inherited(log);
        } catch (IOException e) {
            log.event("cannot open the control pipes (" + e.getMessage() + "); was this started by a master?");
            System.exit(1);
        }
        worker.link.startReading(worker);
        // A daemon: if the application dies while starting (a Spring context that fails), the JVM
        // must exit and the master see it. The server's threads, or serve(), keep a worker alive.
        Thread lifecycle = new Thread(worker::run, "baton-worker");
        lifecycle.setDaemon(true);
        lifecycle.start();
    }

    private void run() {
        try {
            log.event("starting on inherited socket " + EventLog.hostPort(server.localAddress()));
            if (env.warmsUp() && stop.getCount() > 0) {
                WarmUp.warm(server, env.warmupPath(), env.warmupRequests(), log);
            }
            if (stop.getCount() > 0 && Readiness.await(application::ready, stop, log)) {
                server.startAccepting();
                link.ready();
                log.event("ready");
                new Heartbeat(server.requestThreads(), server::completedRequests, link::heartbeat)
                        .start(Executors.newSingleThreadScheduledExecutor(daemon("baton-heartbeat")),
                                HEARTBEAT_PERIOD);
            }
            awaitStop();
            drainAndExit();
        } catch (Throwable t) {
            log.event("failed: " + t);
            System.exit(1);
        }
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
        link.draining();
        log.event("draining (" + server.inFlight() + " in flight)");
        int forced = Drain.run(server, healthPath, env.gracefulTimeout(), Drain.IDLE_GRACE);
        if (forced > 0) {
            log.event("graceful timeout of " + env.gracefulTimeout().toMillis() + " ms reached; closed "
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
        runHook("reopen-logs", application::onReopenLogs);
    }

    @Override
    public void unhealthy() {
        log.event(healthPath.path() == null
                ? "unhealthy: no health path to report it on; serving on"
                : "unhealthy: " + healthPath.path() + " answers 503 from now on; serving on");
        healthPath.takeOutOfRotation();
        runHook("unhealthy", application::onUnhealthy);
    }

    /** Off the link's reader thread, so a slow hook cannot delay the master's next command. */
    private void runHook(String name, Runnable hook) {
        hooks.execute(() -> {
            try {
                hook.run();
            } catch (RuntimeException e) {
                log.event(name + " hook failed: " + e);
            }
        });
    }

    @Override
    public void masterGone() {
        masterGone = stop.getCount() > 0;
        stop.countDown();
    }

    static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
