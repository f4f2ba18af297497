package dev.baton.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The master's control socket: a Unix domain socket next to the pid file ({@code <pid>.sock}),
 * mode 0600, that takes one request line per connection and hands it to the master's loop. A
 * connection from another user is refused by its peer credentials even if the file mode were
 * loosened; oversized or garbage input, or a line that does not arrive within a few seconds, gets
 * an error line and never reaches the master.
 *
 * <p>One thread and a selector read every connection, so connections that send half a line cost
 * a buffer each, not a thread, and cannot keep out the next request. Answers are written without
 * blocking: a client that does not read its answer is dropped, the master never waits for it.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_REQUEST = 1024;
    /** Linux's sun_path holds 108 bytes, the last a NUL. */
    public static final int MAX_PATH_BYTES = 107;
    /** Connections still sending their request line; more are refused at once. */
    private static final int MAX_READING = 64;
    private static final long READ_DEADLINE = TimeUnit.SECONDS.toNanos(5);
    /** After a failed accept (out of fds), the pause before the next. */
    private static final long ACCEPT_PAUSE = TimeUnit.MILLISECONDS.toNanos(200);

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Consumer<Request> onRequest;
    private final Consumer<String> log;
    private volatile Path path;

    private ControlServer(ServerSocketChannel server, Selector selector, Path path, Consumer<Request> onRequest,
                          Consumer<String> log) {
        this.server = server;
        this.selector = selector;
        this.path = path;
        this.onRequest = onRequest;
        this.log = log;
    }

    /** The control socket that goes with a pid file. */
    public static Path pathFor(Path pidFile) {
        return pidFile.resolveSibling(pidFile.getFileName() + ".sock");
    }

    /**
     * @param log where problems that end no request go (a failed accept)
     */
    public static ControlServer open(Path path, Consumer<Request> onRequest, Consumer<String> log) throws IOException {
        // A socket file left by a master that died: the pid file check already showed it dead.
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector;
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
        ControlServer control = new ControlServer(server, selector, path, onRequest, log);
        Thread thread = new Thread(control::serve, "baton-control");
        thread.setDaemon(true);
        thread.start();
        return control;
    }

    /** Moves the socket file (a bound socket keeps working under its new name). */
    public void moveTo(Path target) throws IOException {
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        path = target;
    }

    /** A connection whose request line is not complete yet. */
    private static final class Reading {
        final SocketChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocate(MAX_REQUEST + 1);
        final long deadline = System.nanoTime() + READ_DEADLINE;
        /** Refused, answered and half-closed: reading what the client still sends so closing does not reset it. */
        boolean discarding;

        Reading(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private void serve() {
        List<Reading> reading = new ArrayList<>();
        while (server.isOpen()) {
            try {
                long now = System.nanoTime();
                long wait = reading.stream().mapToLong(r -> r.deadline - now).min().orElse(0);
                if (reading.isEmpty()) {
                    selector.select();
                } else if (wait > 0) {
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                } else {
                    selector.selectNow();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept(reading);
                    } else if (key.isReadable()) {
                        read((Reading) key.attachment(), key, reading);
                    }
                }
                selector.selectedKeys().clear();
                long later = System.nanoTime();
                for (Reading r : List.copyOf(reading)) {
                    if (later - r.deadline >= 0) {
                        finish(r, r.discarding ? null : "error no complete request line within "
                                + TimeUnit.NANOSECONDS.toSeconds(READ_DEADLINE) + " s", reading);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen()) {
                    return;
                }
                log.accept("control socket: " + e.getMessage());
                LockSupport.parkNanos(ACCEPT_PAUSE);
            }
        }
    }

    private void accept(List<Reading> reading) throws IOException {
        SocketChannel channel;
        try {
            channel = server.accept();
        } catch (IOException e) {
            // Out of fds, most likely: the connection waits in the backlog; try again shortly.
            log.accept("control socket: cannot accept: " + e.getMessage());
            LockSupport.parkNanos(ACCEPT_PAUSE);
            return;
        }
        if (channel == null) {
            return;
        }
        channel.configureBlocking(false);
        if (reading.size() >= MAX_READING) {
            new Request(channel, "", selector::wakeup).answer("error too many control connections");
            return;
        }
        Reading r = new Reading(channel);
        channel.register(selector, SelectionKey.OP_READ, r);
        reading.add(r);
    }

    private void read(Reading r, SelectionKey key, List<Reading> reading) {
        try {
            if (r.discarding) {
                ByteBuffer sink = ByteBuffer.allocate(4096);
                while (true) {
                    sink.clear();
                    int n = r.channel.read(sink);
                    if (n < 0) {
                        finish(r, null, reading);
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                }
            }
            int n = r.channel.read(r.buffer);
            for (int i = 0; i < r.buffer.position(); i++) {
                if (r.buffer.get(i) == '\n') {
                    key.cancel();
                    reading.remove(r);
                    dispatch(r, i);
                    return;
                }
            }
            if (n < 0) {
                finish(r, "error no request line (connection closed before a newline)", reading);
            } else if (!r.buffer.hasRemaining()) {
                refuse(r, "error request too long (over " + MAX_REQUEST + " bytes)", reading);
            }
        } catch (IOException e) {
            finish(r, null, reading);
        }
    }

    private void dispatch(Reading r, int newline) throws IOException {
        int end = newline > 0 && r.buffer.get(newline - 1) == '\r' ? newline - 1 : newline;
        String line = new String(r.buffer.array(), 0, end, StandardCharsets.UTF_8);
        UnixDomainPrincipal peer = r.channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String me = System.getProperty("user.name");
        if (!peer.user().getName().equals(me)) {
            new Request(r.channel, "", selector::wakeup).answer("error only user " + me + " may control this master");
        } else if (!line.chars().allMatch(c -> c >= 0x20 && c != 0x7f || c == '\t')) {
            new Request(r.channel, "", selector::wakeup).answer("error request is not a line of text");
        } else {
            onRequest.accept(new Request(r.channel, line.strip(), selector::wakeup));
        }
    }

    /** Answers now, then reads and drops whatever else the client sends until it closes. */
    private void refuse(Reading r, String answer, List<Reading> reading) {
        new Request(r.channel, "", selector::wakeup).say(answer);
        try {
            r.channel.shutdownOutput();
            r.discarding = true;
            if (r.channel.keyFor(selector) == null) {
                r.channel.register(selector, SelectionKey.OP_READ, r);
            }
        } catch (IOException e) {
            finish(r, null, reading);
        }
    }

    private void finish(Reading r, String answer, List<Reading> reading) {
        reading.remove(r);
        Request request = new Request(r.channel, "", selector::wakeup);
        if (answer != null) {
            request.answer(answer);
        } else {
            request.close();
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            selector.wakeup();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Exiting anyway; a stale socket file is removed by the next master.
        }
    }
}
