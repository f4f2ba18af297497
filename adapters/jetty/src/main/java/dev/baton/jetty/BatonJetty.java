package dev.baton.jetty;

import dev.baton.worker.runtime.Application;
import dev.baton.worker.runtime.WorkerRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /** {@link #serve(Server, Application)} for an application that is ready once started. */
    public static void serve(Server server) {
        serve(server, new Application() { });
    }

    /**
     * Starts {@code server} as this JVM's worker; does not return. Under a master the JVM ends with
     * the worker (after its drain, {@code System.exit(0)}); a worker that cannot start says why on
     * stderr and exits 1.
     *
     * @throws IllegalStateException if called twice, if a BATON_* variable is malformed, or if,
     *     standalone, the server does not start
     * @throws UncheckedIOException if, standalone, the address cannot be bound
     */
    public static void serve(Server server, Application application) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(application, "application");
        if (server.isStarted()) {
            throw new IllegalStateException("hand the server to Baton before starting it: Baton starts it on its socket");
        }
        WorkerRuntime runtime = WorkerRuntime.current();
        JettyWorkerServer worker;
        try {
            worker = prepare(server, runtime);
            server.start();
        } catch (Exception e) {
            if (runtime.supervised()) {
                runtime.log("cannot serve on the master's socket: " + e.getMessage());
                System.exit(1);
                return;
            }
            if (e instanceof IOException) {
                throw new UncheckedIOException("cannot listen on " + runtime.listenSetting() + ": " + e.getMessage(),
                        (IOException) e);
            }
            throw new IllegalStateException("Jetty did not start: " + e, e);
        }
        runtime.serve(worker, application);
    }

    private static JettyWorkerServer prepare(Server server, WorkerRuntime runtime) throws IOException {
        HttpConfiguration http = httpConfiguration(server);
        for (Connector connector : server.getConnectors()) {
            server.removeConnector(connector);
        }
        ServerSocketChannel ownListener = null;
        ServerSocketChannel listener;
        if (runtime.supervised()) {
            listener = runtime.inheritedChannel();
        } else {
            ownListener = ServerSocketChannel.open();
            ownListener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            try {
                ownListener.bind(runtime.listenAddress(), STANDALONE_BACKLOG);
            } catch (IOException e) {
                ownListener.close();
                throw e;
            }
            listener = ownListener;
        }
        BatonConnector connector = new BatonConnector(server, listener, new HttpConnectionFactory(http));
        server.addConnector(connector);
        BatonHandler handler = new BatonHandler(server.getHandler(), runtime.healthPath(), connector.connections());
        server.setHandler(handler);
        return new JettyWorkerServer(server, connector, handler, http, ownListener);
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
