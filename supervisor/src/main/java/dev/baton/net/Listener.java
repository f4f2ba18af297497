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

    /** The address as a user would type it, with the port actually bound. */
    public String display() {
        String host = address.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
