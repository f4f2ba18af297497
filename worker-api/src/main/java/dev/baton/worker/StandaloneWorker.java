package dev.baton.worker;

import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;

/**
 * An application run without a master (in development, or in a test): it binds its own port and
 * drains when the JVM shuts down, so Ctrl-C and TERM still finish running requests.
 */
final class StandaloneWorker {

    private StandaloneWorker() {
    }

    static void run(HttpHandler handler, ServeOptions options, WorkerEnv env) {
        EventLog log = EventLog.standalone();
        HttpWorkerServer server;
        try {
            server = HttpWorkerServer.bind(env.listenAddress(), handler, options,
                    env.healthPath(), HttpWorkerServer.DEFAULT_IDLE_GRACE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot listen on " + env.listen() + " (" + WorkerEnv.LISTEN + "): " + e.getMessage(), e);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            log.event("draining (" + server.inFlight() + " in flight)");
            int forced = server.drain(env.gracefulTimeout());
            log.event(forced > 0 ? "drained; closed " + forced + " busy connection(s) at the timeout"
                    : "drained");
        }, "baton-drain"));

        if (env.warmsUp()) {
            int ok = new WarmUp(env.warmupPath(), env.warmupRequests(), WarmUp.REQUEST_TIMEOUT)
                    .run(server);
            log.event("warmed up: " + ok + "/" + env.warmupRequests() + " requests to "
                    + env.warmupPath() + " succeeded");
        }
        if (Readiness.await(options.readinessCheck(), stop, log)) {
            server.startAccepting();
            log.event("listening on " + HttpWorkerServer.hostPort(server.localAddress()));
        }
        parkForever();
    }

    /** The JVM's shutdown ends this; the shutdown hook does the work. */
    private static void parkForever() {
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException e) {
                // serve() does not return: keep serving until the JVM shuts down
            }
        }
    }
}
