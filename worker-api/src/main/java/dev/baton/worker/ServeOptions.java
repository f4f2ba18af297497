package dev.baton.worker;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * How {@link Baton#serve(io.undertow.server.HttpHandler, ServeOptions)} should run an application.
 * Immutable; build one with {@link #builder()}.
 */
public final class ServeOptions {

    private static final BooleanSupplier ALWAYS_READY = () -> true;
    private static final Runnable NOTHING = () -> { };

    private final BooleanSupplier readinessCheck;
    private final Runnable onReopenLogs;
    private final int ioThreads;
    private final int workerThreads;

    private ServeOptions(Builder builder) {
        this.readinessCheck = builder.readinessCheck;
        this.onReopenLogs = builder.onReopenLogs;
        // Undertow's own defaults, so an application sees the same server with or without Baton.
        this.ioThreads = builder.ioThreads > 0
                ? builder.ioThreads
                : Math.max(Runtime.getRuntime().availableProcessors(), 2);
        this.workerThreads = builder.workerThreads > 0 ? builder.workerThreads : this.ioThreads * 8;
    }

    public static Builder builder() {
        return new Builder();
    }

    static ServeOptions defaults() {
        return builder().build();
    }

    BooleanSupplier readinessCheck() {
        return readinessCheck;
    }

    Runnable onReopenLogs() {
        return onReopenLogs;
    }

    int ioThreads() {
        return ioThreads;
    }

    int workerThreads() {
        return workerThreads;
    }

    @Override
    public String toString() {
        return "ServeOptions{ioThreads=" + ioThreads + ", workerThreads=" + workerThreads + "}";
    }

    /** Collects options; not thread-safe, build it where you call {@code serve}. */
    public static final class Builder {

        private BooleanSupplier readinessCheck = ALWAYS_READY;
        private Runnable onReopenLogs = NOTHING;
        private int ioThreads;
        private int workerThreads;

        private Builder() {
        }

        /**
         * Polled about every 100 ms before the worker takes traffic; the master keeps the old
         * generation serving until this says true. Must not block.
         */
        public Builder readinessCheck(BooleanSupplier check) {
            this.readinessCheck = Objects.requireNonNull(check, "check");
            return this;
        }

        /**
         * Run when the master asks workers to reopen their log files (after the operator rotated
         * them). Runs on a Baton thread of its own, so it may block briefly.
         */
        public Builder onReopenLogs(Runnable hook) {
            this.onReopenLogs = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Selector threads; default is Undertow's: the number of CPUs, at least 2. */
        public Builder ioThreads(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1: " + count);
            }
            this.ioThreads = count;
            return this;
        }

        /** Threads for blocking handlers; default is Undertow's: 8 per IO thread. */
        public Builder workerThreads(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("workerThreads must be at least 1: " + count);
            }
            this.workerThreads = count;
            return this;
        }

        public ServeOptions build() {
            return new ServeOptions(this);
        }
    }
}
