package dev.baton.worker.runtime;

/**
 * What the runtime asks of the application around the server, and tells it. Every method has a
 * default, so an application that says nothing is ready at once and ignores the rest.
 */
public interface Application {

    /**
     * Polled about every 100 ms before the worker takes traffic; the master keeps the old
     * generation serving until this says true. Must not block. An exception means "not yet".
     */
    default boolean ready() {
        return true;
    }

    /** The operator rotated the log files; runs on a Baton thread of its own, so it may block briefly. */
    default void onReopenLogs() {
    }

    /**
     * The node is being taken out of rotation: the health path answers 503 from now on. For
     * frameworks with a readiness state of their own (Spring's Actuator) to follow.
     */
    default void onUnhealthy() {
    }
}
