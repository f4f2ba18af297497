package dev.baton.spring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/**
 * Tomcat's NIO endpoint on the master's socket, with a gate in front of accept.
 *
 * <p>Tomcat's acceptor blocks in {@code accept()}, and to stop it, it connects to its own listener
 * ({@code unlockAccept}). On a socket shared with other workers that connection can land in a
 * sibling while this acceptor, still blocked, takes a real client's connection and then, because
 * the endpoint is paused, destroys it: a dropped request. Here the socket is non-blocking and a
 * connection is only ever taken while the gate is open, under the gate's lock; closing the gate
 * waits until every connection taken is registered with Tomcat. Nothing ever connects to the
 * shared socket, and the socket is never closed ({@code useInheritedChannel}): closing it would
 * point the JVM's stdout and stderr at /dev/null.
 */
final class BatonNioEndpoint extends NioEndpoint {

    private static final long SELECT_MILLIS = 100;
    private static final long HANDOFF_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(5);

    private final Object gate = new Object();
    /** Guarded by {@link #gate}. */
    private boolean open;
    /** Closed for good by a drain; guarded by {@link #gate}. */
    private boolean drained;
    /** Connections taken from the socket and not yet registered with Tomcat; guarded by {@link #gate}. */
    private int handingOff;
    private volatile Selector selector;
    private volatile ServerSocketChannel channel;

    BatonNioEndpoint() {
        setUseInheritedChannel(true);
    }

    @Override
    protected void initServerSocket() throws Exception {
        super.initServerSocket();
        ServerSocketChannel inherited = (ServerSocketChannel) getServerSocket();
        inherited.configureBlocking(false);
        Selector accepts = Selector.open();
        inherited.register(accepts, SelectionKey.OP_ACCEPT);
        channel = inherited;
        selector = accepts;
    }

    @Override
    public void unbind() throws Exception {
        try {
            super.unbind();
        } finally {
            Selector accepts = selector;
            if (accepts != null) {
                accepts.close();
            }
        }
    }

    @Override
    protected SocketChannel serverSocketAccept() throws Exception {
        while (true) {
            synchronized (gate) {
                while ((!open || isPaused()) && isRunning()) {
                    gate.wait(SELECT_MILLIS);
                }
                if (!isRunning()) {
                    // Tomcat's acceptor ends quietly on an exception once the endpoint has stopped.
                    throw new IOException("endpoint stopped");
                }
                SocketChannel accepted = channel.accept();
                if (accepted != null) {
                    handingOff++;
                    return accepted;
                }
            }
            // Another worker took it, or nothing is waiting: sleep until the socket is readable.
            selector.select(SELECT_MILLIS);
            selector.selectedKeys().clear();
        }
    }

    @Override
    protected boolean setSocketOptions(SocketChannel socket) {
        try {
            return super.setSocketOptions(socket);
        } finally {
            handedOff();
        }
    }

    @Override
    protected void destroySocket(SocketChannel socket) {
        try {
            super.destroySocket(socket);
        } finally {
            handedOff();
        }
    }

    private void handedOff() {
        synchronized (gate) {
            handingOff--;
            gate.notifyAll();
        }
    }

    /** Tomcat's way connects to the shared socket: see the class comment. Waking our own wait is enough. */
    @Override
    protected void unlockAccept() {
        Selector accepts = selector;
        if (accepts != null) {
            accepts.wakeup();
        }
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    /**
     * A pause (Tomcat's own graceful shutdown) makes the acceptor destroy a connection it has just
     * taken: so first let every connection taken reach Tomcat, then pause with the gate held.
     */
    @Override
    public void pause() {
        synchronized (gate) {
            awaitHandoffs();
            super.pause();
        }
    }

    void openGate() {
        synchronized (gate) {
            if (!drained) {
                open = true;
                gate.notifyAll();
            }
        }
        Selector accepts = selector;
        if (accepts != null) {
            accepts.wakeup();
        }
    }

    /** Closes the gate for good; when this returns every connection taken is in {@link #getConnections()}. */
    void closeGate() {
        synchronized (gate) {
            open = false;
            drained = true;
            awaitHandoffs();
        }
    }

    private void awaitHandoffs() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDOFF_WAIT_MILLIS);
        try {
            while (handingOff > 0 && deadline - System.nanoTime() > 0) {
                gate.wait(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    InetSocketAddress boundAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Tomcat's poller closes a connection waiting for its next request once it has read nothing for
     * its read timeout; connections with a request being processed are not waiting to read, so a
     * short timeout closes exactly the idle ones, on the poller's own thread.
     */
    void closeIdle(Duration idleFor) {
        long millis = Math.max(1, idleFor.toMillis());
        for (SocketWrapperBase<NioChannel> connection : getConnections()) {
            connection.setReadTimeout(millis);
        }
    }

    void closeAll() {
        for (SocketWrapperBase<NioChannel> connection : getConnections()) {
            connection.close();
        }
    }
}
