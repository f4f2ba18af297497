package dev.baton.spring;

import dev.baton.worker.runtime.ServerAdapter;
import dev.baton.worker.runtime.WorkerRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.catalina.connector.Connector;

/**
 * Embedded Tomcat as a Baton worker's server: the endpoint's gate for accepts, the valve for
 * requests. Stopping Tomcat itself is left to Spring, which closes the context when the runtime
 * exits the JVM after the drain.
 */
final class TomcatWorker implements ServerAdapter {

    private final WorkerRuntime runtime;
    private final BatonValve valve;
    private volatile BatonNioEndpoint endpoint;

    TomcatWorker(WorkerRuntime runtime) {
        this.runtime = runtime;
        this.valve = new BatonValve(runtime.healthPath());
    }

    BatonValve valve() {
        return valve;
    }

    /** The main connector, made with {@link BatonTomcatProtocol}: it will serve on the master's socket. */
    void adopt(Connector connector) {
        if (!(connector.getProtocolHandler() instanceof BatonTomcatProtocol protocol)) {
            throw new IllegalStateException("Tomcat's connector uses " + connector.getProtocolHandlerClassName()
                    + ", not " + BatonTomcatProtocol.class.getName()
                    + ": something set server.tomcat protocol after Baton; remove it to run under a Baton master");
        }
        runtime.inheritedChannel(); // fd 0 must be the master's socket; says so and exits if not
        endpoint = protocol.batonEndpoint();
    }

    boolean running() {
        BatonNioEndpoint started = endpoint;
        return started != null && started.isRunning();
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) runtime.inheritedChannel().getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void startAccepting() {
        endpoint.openGate();
    }

    @Override
    public void stopAccepting() {
        endpoint.closeGate();
    }

    @Override
    public void closeAfterEachResponse() {
        valve.closeAfterEachResponse();
        // Tomcat decides keep-alive per request from this: responses the application resets lose
        // the valve's header, but not this.
        endpoint.setMaxKeepAliveRequests(1);
    }

    @Override
    public int openConnections() {
        return endpoint.getConnections().size();
    }

    @Override
    public int inFlight() {
        return valve.inFlight();
    }

    @Override
    public void closeIdleConnections(Duration idleFor) {
        endpoint.closeIdle(idleFor);
    }

    @Override
    public void closeAllConnections() {
        endpoint.closeAll();
    }

    @Override
    public void stop() {
        // Spring stops Tomcat when the JVM exits; the socket is never closed (useInheritedChannel).
    }

    @Override
    public long completedRequests() {
        return valve.completed();
    }

    @Override
    public List<Executor> requestThreads() {
        return List.of(endpoint.getExecutor());
    }
}
