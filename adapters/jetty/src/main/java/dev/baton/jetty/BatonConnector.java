package dev.baton.jetty;

import dev.baton.worker.runtime.OpenConnections;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * A {@link ServerConnector} on a listening socket it must never close, that accepts only while
 * Baton says so and knows every connection it accepted.
 *
 * <p>Why Jetty's own accepting will not do (Jetty 12.1.14, pinned by BatonJettyTest): its acceptor
 * is registered when the connector starts, even after {@code setAccepting(false)}, so a worker
 * would take connections before its application is ready; and a stopping selector closes the
 * channel its acceptor is still registered for. Closing the master's socket, the JDK's inherited
 * channel, points the worker's stdout and stderr at /dev/null. So the connector's selector manager
 * gets an acceptor that does nothing, and this class registers the socket with one of Jetty's
 * selectors itself, when told, with an attachment whose close only cancels the registration.
 * Accepted channels then take Jetty's usual path.
 */
final class BatonConnector extends ServerConnector {

    private static final long SELECTOR_WAIT_SECONDS = 5;

    private final ServerSocketChannel listener;
    private final OpenConnections<EndPoint> connections = new OpenConnections<>(EndPoint::close);
    /** Accepted, not yet an endpoint: part of the open connections a drain must wait for. */
    private final AtomicInteger handedOver = new AtomicInteger();
    private final Accepting accepting = new Accepting();
    private ManagedSelector selector;

    /** @param listener bound and listening; {@link #open(ServerSocketChannel)} checks it */
    BatonConnector(Server server, ServerSocketChannel listener, ConnectionFactory... factories) throws IOException {
        // 0 acceptor threads: accepting happens on a selector. An acceptor thread blocked in
        // accept() would close the channel when Jetty interrupts it at stop.
        super(server, null, null, null, 0, -1, factories);
        this.listener = listener;
        open(listener);
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        return new ServerConnectorManager(executor, scheduler, selectors) {
            @Override
            public Closeable acceptor(SelectableChannel server) {
                return () -> { }; // Baton decides when to accept: see startAccepting
            }

            @Override
            protected void onAcceptFailed(SelectableChannel channel, Throwable cause) {
                handedOver.decrementAndGet();
                super.onAcceptFailed(channel, cause);
            }
        };
    }

    OpenConnections<EndPoint> connections() {
        return connections;
    }

    InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listening socket unusable: " + e.getMessage(), e);
        }
    }

    /** Accepted connections Jetty has not yet made endpoints of: a drain must wait for them too. */
    int acceptedNotYetOpen() {
        return handedOver.get();
    }

    /** Registers the socket for accepts with one of the started connector's selectors. */
    void startAccepting() {
        selector = getSelectorManager().getBeans(ManagedSelector.class).iterator().next();
        selector.submit(accepting::register);
    }

    /**
     * Cancels the registration on the selector's own thread and waits until it has run there:
     * accepts happen on that thread too, so every connection accepted before is counted by then.
     */
    void stopAccepting() {
        if (selector == null) {
            return;
        }
        CountDownLatch cancelled = new CountDownLatch(1);
        selector.submit(ignored -> {
            accepting.close();
            cancelled.countDown();
        });
        try {
            cancelled.await(SELECTOR_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    protected void onEndPointOpened(EndPoint endPoint) {
        connections.opened(endPoint);
        handedOver.decrementAndGet();
        super.onEndPointOpened(endPoint);
    }

    @Override
    protected void onEndPointClosed(EndPoint endPoint) {
        connections.closed(endPoint);
        super.onEndPointClosed(endPoint);
    }

    /**
     * The socket's selection-key attachment. Closeable because Jetty closes the attachments of a
     * stopping selector: that must cancel the registration, never close the socket.
     */
    private final class Accepting implements ManagedSelector.Selectable, Closeable {
        private SelectionKey key;

        void register(java.nio.channels.Selector on) {
            try {
                key = listener.register(on, SelectionKey.OP_ACCEPT, this);
            } catch (IOException e) {
                throw new IllegalStateException("cannot accept on " + listener + ": " + e.getMessage(), e);
            }
        }

        @Override
        public Runnable onSelected() {
            while (true) {
                SocketChannel channel;
                try {
                    channel = listener.accept();
                } catch (IOException e) {
                    // Out of fds, or a connection reset while queued: the socket itself is fine.
                    LOG.warn("accept failed on {}", listener, e);
                    return null;
                }
                if (channel == null) {
                    return null; // the backlog is empty, or a sibling worker was quicker
                }
                handedOver.incrementAndGet();
                try {
                    channel.configureBlocking(false);
                    configure(channel.socket());
                    getSelectorManager().accept(channel);
                } catch (IOException | RuntimeException e) {
                    handedOver.decrementAndGet();
                    LOG.warn("cannot take over accepted {}", channel, e);
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // It is gone either way.
                    }
                }
            }
        }

        @Override
        public void updateKey() {
        }

        @Override
        public void replaceKey(SelectionKey newKey) {
            key = newKey; // Jetty rebuilt its selector
        }

        @Override
        public void close() {
            if (key != null) {
                key.cancel();
            }
        }
    }
}
