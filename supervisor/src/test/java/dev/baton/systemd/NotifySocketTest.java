package dev.baton.systemd;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifySocketTest {
    @TempDir
    Path dir;

    @Test
    void anAtNamesAnAbstractSocketAndAPathIsKeptAsItIs() {
        assertEquals("\0org/freedesktop/systemd1/notify/42", NotifySocket.socketPath("@org/freedesktop/systemd1/notify/42"));
        assertEquals("/run/systemd/notify", NotifySocket.socketPath("/run/systemd/notify"));
    }

    @Test
    void rejectsWhatNamesNoUnixSocketSayingWhy() {
        assertEquals("not an absolute path or an @abstract name (vsock: is not supported)",
                assertThrows(IllegalArgumentException.class, () -> NotifySocket.socketPath("vsock:2:1234")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NotifySocket.socketPath("run/notify"));
        assertThrows(IllegalArgumentException.class, () -> NotifySocket.socketPath("@"));
        assertEquals("path longer than 107 bytes",
                assertThrows(IllegalArgumentException.class, () -> NotifySocket.socketPath("/" + "x".repeat(107))).getMessage());
        assertEquals("/" + "x".repeat(106), NotifySocket.socketPath("/" + "x".repeat(106)));
        assertEquals(108, NotifySocket.socketPath("@" + "x".repeat(107)).length());
        assertThrows(IllegalArgumentException.class, () -> NotifySocket.socketPath("@" + "x".repeat(108)));
    }

    @Test
    void withoutOrWithAnUnusableVariableThereIsNoSocket() {
        assertTrue(NotifySocket.open(null).isEmpty());
        assertTrue(NotifySocket.open("").isEmpty());
        assertTrue(NotifySocket.open("relative/path").isEmpty());
    }

    @Test
    void sendsToAnAbstractSocketByItsExactName() throws IOException {
        String name = "baton-test-" + UUID.randomUUID();
        try (UnixDatagramChannel receiver = receiver(new UnixSocketAddress("\0" + name))) {
            NotifySocket.open("@" + name).orElseThrow().send("READY=1\nSTATUS=x");
            assertEquals("READY=1\nSTATUS=x", receive(receiver));
        }
    }

    @Test
    void sendsToASocketByPath() throws IOException {
        Path path = dir.resolve("notify");
        try (UnixDatagramChannel receiver = receiver(new UnixSocketAddress(path.toString()))) {
            NotifySocket.open(path.toString()).orElseThrow().send("STOPPING=1");
            assertEquals("STOPPING=1", receive(receiver));
        }
    }

    @Test
    void aSocketNobodyListensOnIsLoggedNotThrown() {
        NotifySocket socket = NotifySocket.open(dir.resolve("gone").toString()).orElseThrow();
        assertDoesNotThrow(() -> socket.send("READY=1"));
    }

    private static UnixDatagramChannel receiver(UnixSocketAddress address) throws IOException {
        UnixDatagramChannel channel = UnixDatagramChannel.open();
        channel.bind(address);
        // Bounds the wait below: a datagram that never comes fails the test instead of hanging it.
        channel.setOption(UnixSocketOptions.SO_RCVTIMEO, 5_000);
        return channel;
    }

    private static String receive(UnixDatagramChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        channel.receive(buffer);
        buffer.flip();
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }
}
