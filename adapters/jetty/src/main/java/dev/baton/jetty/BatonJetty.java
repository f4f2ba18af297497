package dev.baton.jetty;

import dev.baton.worker.runtime.Application;
import dev.baton.worker.runtime.HealthPath;
import dev.baton.worker.runtime.WorkerRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;

/**
 * Runs a Jetty 12 {@link Server} as a Baton worker.
 *
 * <pre>{@code
 * Server server = new Server();
 * server.setHandler(new MyHandler());
 * BatonJetty.serve(server);
 * }</pre>
 *
 * <p>Build the server as usual but do not start it, and leave its connectors to Baton: under a
 * master it serves HTTP/1.1 on the socket the master passed it, standalone it binds {@code
 * BATON_LISTEN} (default {@code 127.0.0.1:8080}). Connectors the application added are removed;
 * the {@link HttpConfiguration} of the first one is kept. Baton answers the health path in front of
 * the server's handler, and drains without dropping a request when told to stop.
 */
public final class BatonJetty {

    private static final int STANDALONE_BACKLOG = 1024;

    private BatonJetty() {
    }

    /** {@link #serve(Server, Application)} for an application that can take traffic once started. */
    public static void serve(Server server) {
        serve(server, new Application() { });
    }

    /**
     * Starts {@code server} as this JVM's worker, with {@code application}'s readiness check and
     * hooks; does not return. The worker's life, and its end, are {@link WorkerRuntime#serve}'s; a
     * server that cannot start is reported by {@link WorkerRuntime#cannotStart}.
     *
     * @throws IllegalStateException if the server was started already
     */
    public static void serve(Server server, Application application) {
        if (Objects.requireNonNull(server, "server").isStarted()) {
            throw new IllegalStateException("hand the server to Baton before starting it: Baton starts it on its socket");
        }
        Objects.requireNonNull(application, "application");
        WorkerRuntime runtime = WorkerRuntime.current();
        JettyWorkerServer worker;
        try {
            worker = runtime.supervised()
                    ? prepare(server, runtime.inheritedChannel(), false, runtime.healthPath())
                    : prepare(server, bind(runtime.listenAddress()), true, runtime.healthPath());
            server.start();
        } catch (Exception e) {
            throw runtime.cannotStart(e);
        }
        runtime.serve(worker, application);
    }

    /**
     * Puts Baton's connector on {@code listener} and its handler in front of the application's;
     * the server is then ready to start. {@code owned}: the listener is ours to close at the end.
     */
    static JettyWorkerServer prepare(Server server, ServerSocketChannel listener, boolean owned, HealthPath health)
            throws IOException {
        HttpConfiguration http = httpConfiguration(server);
        for (Connector connector : server.getConnectors()) {
            server.removeConnector(connector);
        }
        BatonConnector connector = new BatonConnector(server, listener, new HttpConnectionFactory(http));
        server.addConnector(connector);
        BatonHandler handler = new BatonHandler(server.getHandler(), health, connector.connections());
        server.setHandler(handler);
        return new JettyWorkerServer(server, connector, handler, http, owned ? listener : null);
    }

    private static ServerSocketChannel bind(InetSocketAddress address) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(address, STANDALONE_BACKLOG);
            return listener;
        } catch (IOException e) {
            listener.close();
            throw e;
        }
    }

    /** The application's HTTP settings, if it configured a connector; Jetty's defaults otherwise. */
    private static HttpConfiguration httpConfiguration(Server server) {
        for (Connector connector : server.getConnectors()) {
            HttpConnectionFactory factory = connector.getConnectionFactory(HttpConnectionFactory.class);
            if (factory != null) {
                return factory.getHttpConfiguration();
            }
        }
        return new HttpConfiguration();
    }
}
