package dev.baton.net;

import dev.baton.posix.Posix;
import dev.baton.posix.PosixException;
import java.net.InetSocketAddress;

/**
 * A listening socket the master owns. Created natively, so its fd number is known and it can be
 * handed to workers and to a new master as it is; it is never closed while Baton serves.
 */
public record Listener(int fd, InetSocketAddress address) {
    private static final int BACKLOG = 1024;

    public static Listener bind(ListenAddress requested) {
        InetSocketAddress address = requested.resolve();
        try {
            int fd = Posix.listen(address, BACKLOG);
            return new Listener(fd, Posix.localAddress(fd));
        } catch (PosixException e) {
            String reason = switch (e.errno()) {
                case PosixException.EADDRINUSE -> "address already in use (another process listens there)";
                case PosixException.EADDRNOTAVAIL -> "address not available on this machine";
                case PosixException.EACCES -> "permission denied (ports below 1024 need privileges)";
                default -> e.getMessage();
            };
            throw new IllegalArgumentException("cannot listen on " + requested + ": " + reason);
        }
    }

    /** Takes over an fd this process inherited (from an old master or from systemd). */
    public static Listener adopt(int fd) {
        if (!Posix.isListening(fd)) {
            throw new IllegalArgumentException("inherited fd " + fd + " is not a listening socket");
        }
        Posix.setCloseOnExec(fd, true);
        return new Listener(fd, Posix.localAddress(fd));
    }

    /** The address as a user would type it ({@code 127.0.0.1:8080}, {@code [::1]:8080}), with the port actually bound. */
    public String display() {
        if (!(address.getAddress() instanceof java.net.Inet6Address v6)) {
            return address.getAddress().getHostAddress() + ":" + address.getPort();
        }
        return "[" + compress(v6.getAddress()) + "]:" + address.getPort();
    }

    /** RFC 5952 text: the longest run of two or more zero groups becomes "::". */
    private static String compress(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
