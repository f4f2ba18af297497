/**
 * The server-neutral part of a Baton worker, for adapter authors. An adapter implements {@link
 * dev.baton.worker.runtime.ServerAdapter} for its server, builds that server on {@link
 * dev.baton.worker.runtime.WorkerRuntime#inheritedChannel()} (or, standalone, on {@link
 * dev.baton.worker.runtime.WorkerRuntime#listenAddress()}), answers {@link
 * dev.baton.worker.runtime.HealthPath} in front of the application, and calls {@link
 * dev.baton.worker.runtime.WorkerRuntime#start}. The master link, readiness, heartbeats, the
 * drain and the exit are the runtime's.
 */
package dev.baton.worker.runtime;
