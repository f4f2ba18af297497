package dev.baton.worker.runtime;

import java.time.Duration;

/**
 * A {@link ServerAdapter} for a server that keeps no per-connection state a drain could use: its
 * connections are tracked in an {@link OpenConnections}, and the drain's side of the adapter
 * (counting, closing idle and all connections, completed requests) is done here once. A subclass
 * reports what its server does to {@link #connections()} and supplies the rest.
 *
 * @param <C> the server's connection type
 */
public abstract class TrackingServerAdapter<C> implements ServerAdapter {

    private final OpenConnections<C> connections;

    protected TrackingServerAdapter(OpenConnections<C> connections) {
        this.connections = connections;
    }

    protected final OpenConnections<C> connections() {
        return connections;
    }

    /** The tracked connections; override to add ones the server has accepted but not yet reported. */
    @Override
    public int openConnections() {
        return connections.size();
    }

    @Override
    public final int inFlight() {
        return connections.inFlight();
    }

    @Override
    public final void closeIdleConnections(Duration idleFor) {
        connections.closeIdle(idleFor);
    }

    @Override
    public final void closeAllConnections() {
        connections.closeAll();
    }

    @Override
    public final long completedRequests() {
        return connections.completed();
    }
}
