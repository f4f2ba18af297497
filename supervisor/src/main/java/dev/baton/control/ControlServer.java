package dev.baton.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The master's control socket: a Unix domain socket next to the pid file ({@code <pid>.sock}),
 * mode 0600, that takes one request line per connection and hands it to the master's loop. A
 * connection from another user is refused by its peer credentials even if the file mode were
 * loosened; oversized or garbage input gets an error line and never reaches the master.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_REQUEST = 1024;
    private static final int MAX_CONNECTIONS = 16;

    private final ServerSocketChannel server;
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private volatile Path path;

    private ControlServer(ServerSocketChannel server, Path path) {
        this.server = server;
        this.path = path;
    }

    /** The control socket that goes with a pid file. */
    public static Path pathFor(Path pidFile) {
        return pidFile.resolveSibling(pidFile.getFileName() + ".sock");
    }

    public static ControlServer open(Path path, Consumer<Request> onRequest) throws IOException {
        // A socket file left by a master that died: the pid file check already showed it dead.
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        ControlServer control = new ControlServer(server, path);
        Thread acceptor = new Thread(() -> control.accept(onRequest), "baton-control");
        acceptor.setDaemon(true);
        acceptor.start();
        return control;
    }

    public Path path() {
        return path;
    }

    /** Moves the socket file (a bound socket keeps working under its new name). */
    public void moveTo(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        path = target;
    }

    private void accept(Consumer<Request> onRequest) {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (!connections.tryAcquire()) {
                Request.refuse(channel, "error too many control connections");
                continue;
            }
            Thread handler = new Thread(() -> {
                try {
                    serve(channel, onRequest);
                } finally {
                    connections.release();
                }
            }, "baton-control-connection");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void serve(SocketChannel channel, Consumer<Request> onRequest) {
        try {
            // Read (at most 1 KiB) before any refusal: closing with the request unread would reset
            // the connection, and the client would lose our answer.
            String line = readLine(channel);
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String me = System.getProperty("user.name");
            if (!peer.user().getName().equals(me)) {
                Request.refuse(channel, "error only user " + me + " may control this master");
                return;
            }
            if (line == null) {
                Request.refuse(channel, "error request too long or not a line of text");
                return;
            }
            onRequest.accept(new Request(channel, line));
        } catch (IOException e) {
            Request.refuse(channel, "error " + e.getMessage());
        }
    }

    /** One line of printable text, at most {@link #MAX_REQUEST} bytes, or null for anything else. */
    private static String readLine(SocketChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST + 1);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                break;
            }
            for (int i = 0; i < buffer.position(); i++) {
                if (buffer.get(i) == '\n') {
                    String line = new String(buffer.array(), 0, i, StandardCharsets.UTF_8);
                    return line.chars().allMatch(c -> c >= 0x20 && c != 0x7f || c == '\t') ? line.strip() : null;
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Exiting anyway; a stale socket file is removed by the next master.
        }
    }
}
