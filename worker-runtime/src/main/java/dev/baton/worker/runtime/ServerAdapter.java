package dev.baton.worker.runtime;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * What Baton needs from an HTTP server to run it as a worker: everything server-specific about
 * accepting, probing and closing. The runtime decides when; the adapter only knows how.
 *
 * <p>An adapter serves on the socket {@link WorkerRuntime#inheritedChannel()} returns and must
 * never close it: closing that channel points the JVM's stdout and stderr at /dev/null. Its
 * server answers {@link WorkerRuntime#healthPath()} in front of the application.
 */
public interface ServerAdapter {

    /**
     * Starts taking connections from the listening socket; until then they wait in its backlog
     * (or are taken by sibling workers). Called once, when the application is ready.
     */
    void startAccepting();

    /**
     * Stops taking connections, for good. Connections already accepted, including any the server
     * took from the socket just before this call, must be known to {@link #openConnections()}
     * when it returns. The socket itself stays open.
     */
    void stopAccepting();

    /**
     * From now on every response, including those of requests already running, carries {@code
     * Connection: close}, so that clients take their next request elsewhere.
     */
    void closeAfterEachResponse();

    /** The address the server accepts on; for the log. */
    InetSocketAddress localAddress();

    /** Open client connections, busy or idle. */
    int openConnections();

    /** Requests running now; for the log. */
    int inFlight();

    /**
     * Closes connections with no request running that have been idle for at least {@code
     * idleFor}, cleanly (FIN), and never one on which a request has begun: a client may be sending
     * its next request right now, which is why the runtime waits out a grace first.
     */
    void closeIdleConnections(Duration idleFor);

    /** The end of a drain at the graceful timeout: whatever is still open is closed, busy or not. */
    void closeAllConnections();

    /** Stops the server's threads once the drain is over. The listening socket stays open. */
    void stop();

    /** Requests the application has finished (health checks and warm-up not counted). */
    long completedRequests();

    /**
     * Where requests run (worker pools, event loops): a probe submitted to each must be able to run
     * unless every thread there is stuck. The runtime's heartbeat depends on it.
     */
    List<Executor> requestThreads();

    /**
     * Opens a listener of the server's own on an ephemeral loopback port for warm-up requests, or
     * returns null if this server cannot (warm-up is then skipped, with a line in the log).
     */
    default InetSocketAddress openWarmupListener() {
        return null;
    }

    /** Closes what {@link #openWarmupListener()} opened. */
    default void closeWarmupListener() {
    }
}
