package dev.baton.worker.runtime;

import java.time.Duration;

/**
 * How a worker leaves without a client error: stop accepting, let running requests finish with
 * {@code Connection: close}, close keep-alive connections once they have been idle for a grace,
 * and at the timeout close whatever is left. The same bookkeeping for every server; the adapter
 * does only what its server must.
 */
public final class Drain {

    /**
     * How long a keep-alive connection must have been idle before a drain closes it. Closing idle
     * connections at once makes clients that are sending on them right now see a reset.
     */
    public static final Duration IDLE_GRACE = Duration.ofSeconds(1);
    private static final long POLL_MILLIS = 20;

    private Drain() {
    }

    /**
     * Drains {@code server} and stops it; blocks for at most about {@code timeout}. Health checks
     * answer 503 from the start. Call once, not on one of the server's own threads.
     *
     * @return how many connections were still open at the timeout and were closed regardless
     */
    public static int run(ServerAdapter server, HealthPath health, Duration timeout, Duration idleGrace) {
        health.takeOutOfRotation();
        server.closeAfterEachResponse();
        server.stopAccepting();
        long deadline = System.nanoTime() + timeout.toNanos();
        int leftOver = 0;
        while (true) {
            server.closeIdleConnections(idleGrace);
            int open = server.openConnections();
            if (open == 0) {
                break;
            }
            if (System.nanoTime() - deadline >= 0 || !pause()) {
                leftOver = open;
                server.closeAllConnections();
                break;
            }
        }
        server.stop();
        return leftOver;
    }

    /** False if interrupted: the drain then ends as if it had timed out. */
    private static boolean pause() {
        try {
            Thread.sleep(POLL_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
