package dev.baton.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import dev.baton.worker.runtime.Drain;
import dev.baton.worker.runtime.HealthPath;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Jetty on a listening socket it did not open, as a master's worker has it, drained in-process. */
class BatonJettyTest {

    private static final Duration GRACE = Duration.ofMillis(100);
    private static final HealthPath NO_HEALTH_PATH = HealthPath.of(null);

    private ServerSocketChannel masters;
    private Server server;

    @BeforeEach
    void listen() throws IOException {
        masters = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        masters.close();
    }

    private int port() throws IOException {
        return ((InetSocketAddress) masters.getLocalAddress()).getPort();
    }

    /** Answers "hello"; /slow after 500 ms, from Jetty's scheduler. */
    private JettyWorkerServer serving() throws Exception {
        server = new Server();
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                long delay = Request.getPathInContext(request).equals("/slow") ? 500 : 0;
                request.getComponents().getScheduler().schedule(
                        () -> Content.Sink.write(response, true, "hello", callback), delay, TimeUnit.MILLISECONDS);
                return true;
            }
        });
        JettyWorkerServer worker = BatonJetty.prepare(server, masters, false, NO_HEALTH_PATH);
        server.start();
        worker.startAccepting();
        return worker;
    }

    @Test
    void theMastersSocketOutlivesTheDrainAndStopAndStillQueuesConnections() throws Exception {
        JettyWorkerServer worker = serving();
        try (Http keepAlive = Http.connect(port())) {
            assertEquals(200, keepAlive.get("/").status());
            assertEquals(0, Drain.run(worker, NO_HEALTH_PATH, Duration.ofSeconds(10), GRACE), "nothing was busy");
            assertThrows(IOException.class, () -> keepAlive.get("/"), "the idle keep-alive connection was closed");
        }
        assertTrue(masters.isOpen(), "Jetty stopped without closing the socket it was given");
        // A sibling worker would still take connections from it.
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port())) {
            SocketChannel accepted = Poll.until("a queued connection", Duration.ofSeconds(5), () -> accept());
            accepted.close();
        }
    }

    @Test
    void aResponseRunningWhenTheDrainBeginsClosesItsConnection() throws Exception {
        JettyWorkerServer worker = serving();
        AtomicInteger leftOver = new AtomicInteger(-1);
        try (Http slow = Http.connect(port())) {
            slow.send("/slow");
            Poll.until("the slow request running", () -> worker.inFlight() == 1);
            Thread drain = new Thread(() -> leftOver.set(Drain.run(worker, NO_HEALTH_PATH, Duration.ofSeconds(10), GRACE)));
            drain.start();
            Http.Response response = slow.receive();
            assertEquals(200, response.status());
            assertTrue(response.closes(), "Connection: close on a response committed during the drain");
            drain.join(10_000);
        }
        assertEquals(0, leftOver.get(), "the drain waited for the busy connection rather than cutting it");
        assertEquals(1, worker.completedRequests());
        assertTrue(masters.isOpen());
    }

    /**
     * Why {@link BatonConnector} registers the socket with a selector itself: Jetty's own acceptor
     * accepts from the moment the connector starts, even if told not to, and a stopping selector
     * closes the channel it still accepts on. If this fails, Jetty changed and BatonConnector could
     * be simpler.
     */
    @Test
    void jettysOwnAcceptorAcceptsBeforeItIsToldAndClosesTheSocketAtStop() throws Exception {
        server = new Server();
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, "served", callback);
                return true;
            }
        });
        ServerConnector plain = new ServerConnector(server, 0, 1);
        plain.open(masters);
        plain.setAccepting(false);
        server.addConnector(plain);
        server.start();
        assertEquals("served", Http.get(port(), "/").body(), "accepted although not accepting");
        server.stop();
        assertFalse(masters.isOpen(), "Jetty closed the channel it was given");
    }

    private SocketChannel accept() {
        try {
            return masters.accept();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
