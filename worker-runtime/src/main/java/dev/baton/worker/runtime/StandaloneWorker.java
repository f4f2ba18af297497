package dev.baton.worker.runtime;

import java.util.concurrent.CountDownLatch;

/**
 * An application run without a master (in development, or in a test): its server has bound its
 * own port; a shutdown hook drains it, so Ctrl-C and TERM still finish running requests.
 */
final class StandaloneWorker {

    private StandaloneWorker() {
    }

    static void start(ServerAdapter server, Application application, WorkerEnv env, EventLog log,
            HealthPath healthPath) {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            log.event("draining (" + server.inFlight() + " in flight)");
            int forced = Drain.run(server, healthPath, env.gracefulTimeout(), Drain.IDLE_GRACE);
            log.event(forced > 0 ? "drained; closed " + forced + " busy connection(s) at the timeout" : "drained");
        }, "baton-drain"));
        Thread starting = new Thread(() -> {
            if (env.warmsUp()) {
                WarmUp.warm(server, env.warmupPath(), env.warmupRequests(), log);
            }
            if (Readiness.await(application::ready, stop, log)) {
                server.startAccepting();
                log.event("listening on " + EventLog.hostPort(server.localAddress()));
            }
        }, "baton-worker");
        starting.setDaemon(true);
        starting.start();
    }
}
