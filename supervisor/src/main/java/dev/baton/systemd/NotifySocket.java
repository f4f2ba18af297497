package dev.baton.systemd;

import dev.baton.master.Log;
import dev.baton.posix.Posix;
import dev.baton.posix.PosixException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The datagram socket named by {@code $NOTIFY_SOCKET}, where sd_notify(3) messages go. The JDK has
 * no datagram Unix sockets, hence a plain socket(2) and sendto(2) through {@link Posix}: the same
 * binding as every other native call, and no jnr-unixsocket to load on a JDK that uses FFM.
 */
final class NotifySocket {
    static final String VARIABLE = "NOTIFY_SOCKET";
    /** sun_path holds 108 bytes: a path and its trailing NUL, or the leading NUL and an abstract name. */
    private static final int MAX_NAME_BYTES = 107;

    private final String name;
    private final String path;
    private final int fd;

    private NotifySocket(String name, String path, int fd) {
        this.name = name;
        this.path = path;
        this.fd = fd;
    }

    /** The socket {@code value} names, or empty (with a log line saying why) if it names none we can use. */
    static Optional<NotifySocket> open(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new NotifySocket(value, socketPath(value), Posix.datagramSocket()));
        } catch (IllegalArgumentException | PosixException e) {
            Log.line("systemd", VARIABLE + "=" + value + " ignored, systemd will not hear from this master: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The sun_path for a {@code NOTIFY_SOCKET} value: a filesystem path as it is, or for {@code @name}
     * an abstract socket, {@code \0name}. {@link Posix#sendDatagram} passes the exact length for
     * an abstract name, which matters: trailing NULs would name a different socket.
     */
    static String socketPath(String value) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (value.startsWith("@")) {
            if (bytes < 2 || bytes > MAX_NAME_BYTES + 1) {
                throw new IllegalArgumentException("an abstract socket name needs 1 to " + MAX_NAME_BYTES + " bytes after '@'");
            }
            return "\0" + value.substring(1);
        }
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path or an @abstract name (vsock: is not supported)");
        }
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("path longer than " + MAX_NAME_BYTES + " bytes");
        }
        return value;
    }

    /** Sends one message. A failure is logged, never thrown: systemd's bookkeeping must not stop the master. */
    void send(String message) {
        try {
            Posix.sendDatagram(fd, path, message.getBytes(StandardCharsets.UTF_8));
        } catch (PosixException e) {
            Log.line("systemd", "cannot notify " + VARIABLE + "=" + name + " (" + firstLine(message) + "): " + e.getMessage());
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
