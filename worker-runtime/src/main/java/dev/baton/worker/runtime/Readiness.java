package dev.baton.worker.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits for the application to say it can take traffic. A worker that never becomes ready must
 * never send {@code ready}: the master then keeps the old generation serving.
 */
final class Readiness {

    static final long POLL_MILLIS = 100;

    private Readiness() {
    }

    /** True once {@code check} passes; false if {@code stop} is counted down first. */
    static boolean await(BooleanSupplier check, CountDownLatch stop, EventLog log) {
        boolean waitingLogged = false;
        boolean failureLogged = false;
        while (stop.getCount() > 0) {
            try {
                if (check.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException e) {
                // A throwing check means "not ready"; once in the log is enough, it will be polled again.
                if (!failureLogged) {
                    failureLogged = true;
                    log.event("readiness check threw " + e + "; still not ready");
                }
            }
            if (!waitingLogged) {
                waitingLogged = true;
                log.event("waiting for the readiness check");
            }
            try {
                if (stop.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
