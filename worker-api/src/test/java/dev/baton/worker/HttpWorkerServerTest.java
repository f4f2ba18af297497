package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import dev.baton.worker.runtime.HealthPath;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server on a channel the test opened and bound itself: the same adoption path a worker takes
 * with the master's socket, so drain behaviour is tested for real, in process.
 */
class HttpWorkerServerTest {

    private static final Duration GRACEFUL_TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final LoopbackServer loopback = new LoopbackServer();
    private HttpWorkerServer server;

    @Test
    void servesOnAnAdoptedChannel() throws Exception {
        start(HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            Http.Response first = connection.get("/");
            Http.Response second = connection.get("/"); // same connection: keep-alive works
            assertEquals(200, first.status());
            assertEquals("hello /", first.body());
            assertEquals(200, second.status());
            // Written by DateHeader, not Undertow: the current second, give or take the request.
            long now = System.currentTimeMillis() / 1000;
            String date = first.headers().get("date");
            assertTrue(date.equals(DateHeader.format(now)) || date.equals(DateHeader.format(now - 1)), date);
        }
        Poll.until("both requests are counted", () -> server.completedRequests() == 2);
        assertEquals(0, server.inFlight());
    }

    @Test
    void requestInFlightWhenTheDrainStartsCompletesWithConnectionClose() throws Exception {
        start(HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            connection.send("/slow?ms=2000");
            Poll.until("the slow request is running", () -> server.inFlight() == 1);
            CompletableFuture<Integer> drain = drainAsync();

            Http.Response response = connection.receive();

            assertEquals(200, response.status());
            assertEquals("hello /slow", response.body());
            assertEquals("close", response.connection());
            assertTrue(connection.closedByServer());
            connection.close();
            assertEquals(0, drain.get(10, TimeUnit.SECONDS), "connections closed at the timeout");
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheGraceWithoutError() throws Exception {
        start(HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            Http.Response response = connection.get("/");
            long answered = System.nanoTime();
            assertEquals("keep-alive", response.connection());

            CompletableFuture<Integer> drain = drainAsync();

            assertTrue(connection.closedByServer(), "clean close (FIN), not a reset");
            long idleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
            assertTrue(idleMillis >= 900, "closed after " + idleMillis + " ms, before the 1 s grace");
            assertEquals(0, drain.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void connectionThatNeverSentARequestIsClosedByTheDrain() throws Exception {
        start(HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http silent = connect(); Http other = connect()) {
            other.get("/"); // the silent connection was accepted before this one was answered
            CompletableFuture<Integer> drain = drainAsync();

            assertTrue(silent.closedByServer());
            assertTrue(other.closedByServer());
            assertEquals(0, drain.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void requestOnAKeepAliveConnectionDuringTheDrainGetsConnectionClose() throws Exception {
        // A long grace, so the idle connection is certainly still open when the next request comes.
        start(Duration.ofSeconds(30));
        try (Http connection = connect()) {
            assertEquals("keep-alive", connection.get("/").connection());
            CompletableFuture<Integer> drain = drainAsync();
            Poll.until("the drain has started", server::draining);

            Http.Response response = connection.get("/");

            assertEquals(200, response.status());
            assertEquals("close", response.connection());
            assertTrue(connection.closedByServer());
            // Undertow half-closes and waits for the client's close, as a real client would do now.
            connection.close();
            assertEquals(0, drain.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void drainedServerNoLongerAcceptsButLeavesTheChannelOpen() throws Exception {
        start(HttpWorkerServer.DEFAULT_IDLE_GRACE);
        assertEquals(0, server.drain(GRACEFUL_TIMEOUT));

        assertTrue(loopback.channel().isOpen(), "the drain must never close the adopted channel");
        try (Http client = connect()) { // the kernel still completes the handshake
            client.send("/");
            client.readTimeout(Duration.ofMillis(300));
            assertThrows(SocketTimeoutException.class, client::receive, "nobody should answer");

            // The connection waits in the backlog, for whoever accepts next (another worker).
            loopback.channel().configureBlocking(true);
            try (SocketChannel accepted = loopback.channel().accept()) {
                assertNotNull(accepted);
                ByteBuffer request = ByteBuffer.allocate(64);
                accepted.read(request);
                assertTrue(new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII)
                        .startsWith("GET / HTTP/1.1"));
            }
        }
    }

    @Test
    void busyConnectionsAreClosedWhenTheGracefulTimeoutRunsOut() throws Exception {
        start(HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            connection.send("/slow?ms=60000");
            Poll.until("the slow request is running", () -> server.inFlight() == 1);

            int forced = server.drain(Duration.ofMillis(200));

            assertEquals(1, forced);
            assertTrue(connection.closedByServer());
            assertTrue(loopback.channel().isOpen());
        }
    }

    private void start(Duration idleGrace) throws IOException {
        server = loopback.start(handler(), ServeOptions.defaults(), HealthPath.of(null), idleGrace);
    }

    private Http connect() throws IOException {
        return loopback.connect();
    }

    private CompletableFuture<Integer> drainAsync() {
        return CompletableFuture.supplyAsync(() -> server.drain(GRACEFUL_TIMEOUT));
    }

    /** "/" answers at once; "/slow?ms=N" answers after N ms without holding a thread. */
    static HttpHandler handler() {
        return exchange -> {
            String body = "hello " + exchange.getRelativePath();
            if (exchange.getRelativePath().equals("/slow")) {
                long millis = Long.parseLong(exchange.getQueryParameters().get("ms").getFirst());
                exchange.dispatch(SameThreadExecutor.INSTANCE, () -> exchange.getIoThread()
                        .executeAfter(() -> send(exchange, body), millis, TimeUnit.MILLISECONDS));
            } else {
                send(exchange, body);
            }
        };
    }

    private static void send(HttpServerExchange exchange, String body) {
        exchange.getResponseSender().send(body);
    }
}
