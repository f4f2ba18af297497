package dev.baton.worker;

import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpHandler;
import io.undertow.server.ServerConnection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Knows every open connection and whether a request is running on it.
 *
 * <p>A drain needs that distinction: a busy connection must finish its request, an idle keep-alive
 * connection has to be closed by us (its client won't) but not too eagerly, because a client may
 * be sending its next request on it right now. Undertow tracks neither per connection, so we
 * watch connections as they are accepted and requests as they start and complete.
 */
final class ConnectionTracker {

    private final ConcurrentHashMap<StreamConnection, Tracked> open = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    /** Wraps Undertow's open listener so that every accepted connection is tracked until closed. */
    ChannelListener<StreamConnection> tracking(ChannelListener<StreamConnection> openListener) {
        return connection -> {
            open.put(connection, new Tracked(connection, System.nanoTime()));
            // XNIO 3.8 chains close listeners, so Undertow's own (set next) still runs.
            connection.setCloseListener(closed -> open.remove(closed));
            openListener.handleEvent(connection);
        };
    }

    /** Wraps the application's handler so that requests are counted per connection. */
    HttpHandler counting(HttpHandler next) {
        return exchange -> {
            Tracked tracked = lookup(exchange.getConnection());
            inFlight.incrementAndGet();
            if (tracked != null) {
                tracked.active.incrementAndGet();
            }
            exchange.addExchangeCompleteListener((done, nextListener) -> {
                try {
                    if (tracked != null) {
                        tracked.idleSince = System.nanoTime();
                        tracked.active.decrementAndGet();
                    }
                    inFlight.decrementAndGet();
                } finally {
                    nextListener.proceed();
                }
            });
            // Decided when the response is committed, not now: a request already running when the
            // drain starts must also tell its client to go elsewhere.
            exchange.addResponseCommitListener(committing -> {
                if (draining) {
                    committing.setPersistent(false);
                }
            });
            if (draining) {
                exchange.setPersistent(false);
            }
            next.handleRequest(exchange);
        };
    }

    /** From now on every response carries {@code Connection: close}. */
    void startDrain() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    int inFlight() {
        return inFlight.get();
    }

    int openConnections() {
        open.values().removeIf(tracked -> !tracked.connection.isOpen());
        return open.size();
    }

    /**
     * Closes connections with no request running that have been idle for at least {@code
     * graceNanos}. The final check and the close happen on the connection's IO thread, which is
     * where Undertow starts requests, so a request cannot begin between the two.
     */
    void closeIdle(long graceNanos) {
        long now = System.nanoTime();
        for (Tracked tracked : open.values()) {
            if (tracked.idleFor(now, graceNanos) && !tracked.closing) {
                tracked.closing = true;
                tracked.connection.getIoThread().execute(() -> {
                    if (tracked.idleFor(System.nanoTime(), graceNanos)) {
                        IoUtils.safeClose(tracked.connection);
                    } else {
                        tracked.closing = false;
                    }
                });
            }
        }
    }

    /** The end of a drain: whatever is still open gets closed, busy or not. */
    void closeAll() {
        for (Tracked tracked : open.values()) {
            IoUtils.safeClose(tracked.connection);
        }
    }

    private Tracked lookup(ServerConnection connection) {
        if (connection instanceof AbstractServerConnection) {
            return open.get(((AbstractServerConnection) connection).getChannel());
        }
        return null;
    }

    private static final class Tracked {
        final StreamConnection connection;
        final AtomicInteger active = new AtomicInteger();
        volatile long idleSince;
        volatile boolean closing;

        Tracked(StreamConnection connection, long now) {
            this.connection = connection;
            this.idleSince = now;
        }

        boolean idleFor(long now, long graceNanos) {
            return active.get() == 0 && now - idleSince >= graceNanos;
        }
    }
}
