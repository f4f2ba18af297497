package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The drain's bookkeeping, against a server that records what it is asked to do. */
class DrainTest {

    private final HealthPath health = HealthPath.of("/health");

    @Test
    void stopsAcceptingThenClosesIdleConnectionsUntilNoneIsLeftThenStops() {
        Recorder server = new Recorder(3);
        server.idleClosedPerCall = 1;

        assertEquals(0, Drain.run(server, health, Duration.ofSeconds(10), Duration.ofMillis(1)));

        assertEquals(List.of("closeAfterEachResponse", "stopAccepting"), server.calls.subList(0, 2),
                "no connection may be accepted that would not be told to close");
        assertEquals("stop", server.calls.get(server.calls.size() - 1));
        assertTrue(server.calls.contains("closeIdle 1"), "idle connections closed after the grace: " + server.calls);
        assertTrue(!server.calls.contains("closeAll"), "nothing closed by force: " + server.calls);
        assertEquals(503, health.status(), "out of rotation from the drain's start");
    }

    @Test
    void atTheTimeoutWhatIsLeftIsClosedAndCounted() {
        Recorder server = new Recorder(2); // busy for good: never idle

        assertEquals(2, Drain.run(server, health, Duration.ofMillis(100), Duration.ofSeconds(1)));

        assertEquals(List.of("closeAll", "stop"), server.calls.subList(server.calls.size() - 2, server.calls.size()));
    }

    @Test
    void aServerWithNoConnectionsStopsAtOnce() {
        Recorder server = new Recorder(0);

        assertEquals(0, Drain.run(server, health, Duration.ofSeconds(10), Duration.ofSeconds(1)));

        assertEquals(List.of("closeAfterEachResponse", "stopAccepting", "closeIdle 1000", "stop"), server.calls);
    }

    /** Connections that close only when closeIdle is called, a given number per call. */
    private static final class Recorder implements ServerAdapter {
        final List<String> calls = new ArrayList<>();
        int open;
        int idleClosedPerCall;

        Recorder(int open) {
            this.open = open;
        }

        @Override
        public void startAccepting() {
            calls.add("startAccepting");
        }

        @Override
        public void stopAccepting() {
            calls.add("stopAccepting");
        }

        @Override
        public void closeAfterEachResponse() {
            calls.add("closeAfterEachResponse");
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress(0);
        }

        @Override
        public int openConnections() {
            return open;
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public void closeIdleConnections(Duration idleFor) {
            calls.add("closeIdle " + idleFor.toMillis());
            open = Math.max(0, open - idleClosedPerCall);
        }

        @Override
        public void closeAllConnections() {
            calls.add("closeAll");
            open = 0;
        }

        @Override
        public void stop() {
            calls.add("stop");
        }

        @Override
        public long completedRequests() {
            return 0;
        }

        @Override
        public List<Executor> requestThreads() {
            return List.of();
        }
    }
}
