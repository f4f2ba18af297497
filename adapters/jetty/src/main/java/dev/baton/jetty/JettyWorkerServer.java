package dev.baton.jetty;

import dev.baton.worker.runtime.TrackingServerAdapter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A started Jetty {@link Server} as a Baton worker's server: what the runtime drives. */
final class JettyWorkerServer extends TrackingServerAdapter<EndPoint> {

    private final Server server;
    private final BatonConnector connector;
    private final BatonHandler handler;
    private final HttpConfiguration http;
    /** Standalone, the listening socket is ours to close at the end; the master's never is. */
    private final ServerSocketChannel ownListener;
    private ServerConnector warmup;

    JettyWorkerServer(Server server, BatonConnector connector, BatonHandler handler, HttpConfiguration http,
            ServerSocketChannel ownListener) {
        super(connector.connections());
        this.server = server;
        this.connector = connector;
        this.handler = handler;
        this.http = http;
        this.ownListener = ownListener;
    }

    @Override
    public void startAccepting() {
        connector.startAccepting();
    }

    @Override
    public void stopAccepting() {
        connector.stopAccepting();
    }

    @Override
    public void closeAfterEachResponse() {
        handler.closeAfterEachResponse();
    }

    @Override
    public InetSocketAddress localAddress() {
        return connector.address();
    }

    /** Tracked connections, and those accepted but not yet endpoints. */
    @Override
    public int openConnections() {
        return super.openConnections() + connector.acceptedNotYetOpen();
    }

    @Override
    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop cleanly: " + e, e);
        } finally {
            if (ownListener != null) {
                try {
                    ownListener.close();
                } catch (IOException ignored) {
                    // The process is about to end.
                }
            }
        }
    }

    /** Jetty runs requests, and its selectors, on the server's one thread pool. */
    @Override
    public List<Executor> requestThreads() {
        return List.of(server.getThreadPool());
    }

    /** A plain connector of Jetty's own on an ephemeral loopback port; its requests are not counted. */
    @Override
    public InetSocketAddress openWarmupListener() {
        warmup = new ServerConnector(server, new HttpConnectionFactory(http));
        warmup.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        warmup.setPort(0);
        server.addConnector(warmup);
        try {
            warmup.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot open a warm-up listener: " + e, e);
        }
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), warmup.getLocalPort());
    }

    @Override
    public void closeWarmupListener() {
        if (warmup != null) {
            try {
                warmup.stop();
            } catch (Exception ignored) {
                // Only the warm-up's own socket was involved.
            }
            server.removeConnector(warmup);
            warmup = null;
        }
    }
}
