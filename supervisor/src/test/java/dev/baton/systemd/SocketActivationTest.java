package dev.baton.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocketActivationTest {
    private static final int PID = 4242;

    @Test
    void withoutListenFdsThereIsNothing() {
        SocketActivation activation = SocketActivation.parse(Map.of(), PID);
        assertEquals(List.of(), activation.fds());
        assertNull(activation.ignored());
    }

    @Test
    void socketsForThisProcessStartAtFd3WithTheirNames() {
        SocketActivation activation = SocketActivation.parse(
                Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "web:admin"), PID);
        assertEquals(List.of(3, 4), activation.fds());
        assertEquals(List.of("web", "admin"), activation.names());
        assertNull(activation.ignored());
    }

    @Test
    void missingNamesAreSystemdsUnknown() {
        assertEquals(List.of("unknown", "unknown"),
                SocketActivation.parse(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242"), PID).names());
        assertEquals(List.of("web", "unknown", "unknown"),
                SocketActivation.parse(Map.of("LISTEN_FDS", "3", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "web::"), PID).names());
        assertEquals(List.of("web"),
                SocketActivation.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "web:extra"), PID).names());
    }

    @Test
    void socketsMeantForAnotherProcessAreIgnoredWithTheReason() {
        SocketActivation activation = SocketActivation.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "17"), PID);
        assertEquals(List.of(), activation.fds());
        assertEquals("LISTEN_PID=17 is another process (this is 4242)", activation.ignored());
        assertEquals("LISTEN_FDS is set without LISTEN_PID", SocketActivation.parse(Map.of("LISTEN_FDS", "1"), PID).ignored());
    }

    @Test
    void zeroSocketsIsNone() {
        assertEquals(List.of(), SocketActivation.parse(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "4242"), PID).fds());
    }

    @Test
    void malformedVariablesAreAnErrorThatNamesThem() {
        assertEquals("LISTEN_FDS='two' is not a non-negative number: the service manager's socket activation environment is broken",
                assertThrows(IllegalArgumentException.class,
                        () -> SocketActivation.parse(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "4242"), PID)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SocketActivation.parse(Map.of("LISTEN_FDS", "-1", "LISTEN_PID", "4242"), PID));
        assertThrows(IllegalArgumentException.class,
                () -> SocketActivation.parse(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "x"), PID));
    }

    @Test
    void aNewMasterOnUsr2HasNone() {
        assertEquals(List.of(), SocketActivation.none().fds());
    }
}
