package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenConnectionsTest {

    private final List<String> closed = new ArrayList<>();
    private final OpenConnections<String> connections = new OpenConnections<>(closed::add);

    @Test
    void closesOnlyConnectionsIdleForTheGrace() {
        connections.opened("idle");
        connections.opened("busy");
        assertTrue(connections.requestStarted("busy"));

        connections.closeIdle(Duration.ofHours(1));
        assertEquals(List.of(), closed, "nothing has been idle for an hour");

        connections.closeIdle(Duration.ZERO);
        assertEquals(List.of("idle"), closed, "the busy one is left to finish");
        assertEquals(1, connections.inFlight());
    }

    @Test
    void aConnectionChosenForClosingTakesNoNewRequest() {
        connections.opened("c");
        connections.closeIdle(Duration.ZERO);
        assertFalse(connections.requestStarted("c"));
        assertEquals(0, connections.inFlight());
        connections.closeIdle(Duration.ZERO);
        assertEquals(List.of("c"), closed, "closed once");
    }

    @Test
    void aFinishedRequestRestartsTheIdleClock() {
        connections.opened("c");
        assertTrue(connections.requestStarted("c"));
        connections.requestFinished("c", true);
        connections.closeIdle(Duration.ofHours(1));
        assertEquals(List.of(), closed);
        assertEquals(1, connections.completed());
        assertEquals(0, connections.inFlight());
    }

    @Test
    void untrackedConnectionsAndHealthChecksAreNotCounted() {
        assertFalse(connections.requestStarted("warm-up"));
        connections.opened("c");
        assertTrue(connections.requestStarted("c"));
        connections.requestFinished("c", false);
        assertEquals(0, connections.completed());
    }

    @Test
    void aClosedConnectionTakesItsRunningRequestsOutOfTheCount() {
        connections.opened("c");
        assertTrue(connections.requestStarted("c"));
        connections.closed("c");
        assertEquals(0, connections.inFlight());
        assertEquals(0, connections.size());
        connections.requestFinished("c", true);
        assertEquals(0, connections.inFlight());
        assertEquals(1, connections.completed());
    }
}
