package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When a warm-up stops: once throughput no longer rises, never before three slices; and a warm-up
 * whose requests fail fails, though it is not measured.
 */
class WarmUpTest {
    @Test
    void failedRequestsFailTheWarmUp() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        } // closed: every connection is refused
        int closed = port;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WarmUp.untilSteady(Mode.NEW_CONNECTION, 2, closed, 3));
        assertTrue(e.getMessage().contains("failed during its warm-up"), e.getMessage());
    }

    @Test
    void aServerStillGainingIsNotSteady() {
        assertFalse(WarmUp.steady(List.of(40_000.0, 60_000.0, 75_000.0)));
        assertFalse(WarmUp.steady(List.of(40_000.0, 60_000.0, 50_000.0, 62_000.0)));
    }

    @Test
    void aServerNoLongerGainingIsSteady() {
        assertTrue(WarmUp.steady(List.of(40_000.0, 60_000.0, 61_000.0)));
        assertTrue(WarmUp.steady(List.of(40_000.0, 75_000.0, 70_000.0)));
    }

    @Test
    void fewerThanThreeSlicesAreNeverSteady() {
        assertFalse(WarmUp.steady(List.of()));
        assertFalse(WarmUp.steady(List.of(30_000.0, 30_000.0)));
    }
}
