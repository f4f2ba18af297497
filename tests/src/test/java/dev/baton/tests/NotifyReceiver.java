package dev.baton.tests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;

/**
 * A stand-in for systemd's notification socket: a datagram Unix socket with SO_PASSCRED, so every
 * message arrives with the sender's pid as the kernel vouches for it (SCM_CREDENTIALS), which is
 * what systemd checks against MAINPID and NotifyAccess. Bound natively because neither the JDK
 * nor jnr-unixsocket reads ancillary data. Layouts are those of x86-64 and aarch64.
 */
final class NotifyReceiver implements AutoCloseable {
    /** One datagram and the pid that sent it. */
    record Message(int pid, String text) {
        /** The message without its STATUS= line: what systemd acts on. */
        String tags() {
            return text.lines().filter(l -> !l.startsWith("STATUS=")).reduce((a, b) -> a + "\n" + b).orElse("");
        }

        String status() {
            return text.lines().filter(l -> l.startsWith("STATUS=")).findFirst().map(l -> l.substring(7)).orElse(null);
        }
    }

    public interface LibC {
        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int setsockopt(int fd, int level, int name, @In byte[] value, int length);

        long recvmsg(int fd, Pointer message, int flags);

        int close(int fd);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PASSCRED = 16;
    private static final int SO_RCVTIMEO = 20;
    private static final int SCM_CREDENTIALS = 2;
    private static final int BUFFER = 4096;
    private static final int CONTROL = 64;

    private static final LibC libc = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime runtime = Runtime.getRuntime(libc);

    private final int fd;
    private final String address;
    private final List<Message> received = new ArrayList<>();

    /** @param name a path, or {@code @name} for an abstract socket, as NOTIFY_SOCKET spells it */
    private NotifyReceiver(String name) {
        this.address = name;
        fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IllegalStateException("socket() failed");
        }
        byte[] path = (name.startsWith("@") ? "\0" + name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
        byte[] sockaddr = new byte[2 + path.length + (name.startsWith("@") ? 0 : 1)];
        sockaddr[0] = AF_UNIX;
        System.arraycopy(path, 0, sockaddr, 2, path.length);
        if (libc.bind(fd, sockaddr, sockaddr.length) != 0
                || libc.setsockopt(fd, SOL_SOCKET, SO_PASSCRED, intBytes(1), 4) != 0) {
            libc.close(fd);
            throw new IllegalStateException("cannot bind notify socket " + name);
        }
    }

    static NotifyReceiver at(Path path) {
        return new NotifyReceiver(path.toString());
    }

    static NotifyReceiver abstractNamed(String name) {
        return new NotifyReceiver("@" + name);
    }

    /** What to put in NOTIFY_SOCKET. */
    String address() {
        return address;
    }

    /** Every message received so far, in order. */
    List<Message> received() {
        return List.copyOf(received);
    }

    /** Receives until a message whose tags (STATUS= aside) satisfy {@code tags} arrives; returns it. */
    Message await(String tags, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no notification '" + tags.replace("\n", "\\n") + "' within " + within.toMillis()
                        + " ms; received: " + received);
            }
            Message message = receive(Duration.ofNanos(left));
            if (message != null && message.tags().matches(tags)) {
                return message;
            }
        }
    }

    /** Receives for {@code period}, however many messages come: for proving that none of a kind does. */
    void listen(Duration period) {
        long deadline = System.nanoTime() + period.toNanos();
        for (long left = period.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            receive(Duration.ofNanos(left));
        }
    }

    /** The messages that did more than set STATUS=, in order: the sequence systemd acts on. */
    List<Message> lifecycle() {
        return received.stream().filter(m -> !m.tags().isEmpty()).toList();
    }

    private Message receive(Duration within) {
        long micros = Math.max(1, within.toNanos() / 1_000);
        byte[] timeout = new byte[16];
        java.nio.ByteBuffer.wrap(timeout).order(java.nio.ByteOrder.nativeOrder()).putLong(micros / 1_000_000)
                .putLong(micros % 1_000_000);
        libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, timeout.length);

        Pointer data = Memory.allocateDirect(runtime, BUFFER);
        Pointer control = Memory.allocateDirect(runtime, CONTROL);
        Pointer iov = Memory.allocateDirect(runtime, 16);
        iov.putAddress(0, data.address());
        iov.putLong(8, BUFFER);
        Pointer header = Memory.allocateDirect(runtime, 56);
        header.putAddress(16, iov.address());
        header.putLong(24, 1);
        header.putAddress(32, control.address());
        header.putLong(40, CONTROL);
        long length = libc.recvmsg(fd, header, 0);
        if (length < 0) {
            return null;
        }
        int pid = -1;
        // One cmsghdr {size_t len; int level; int type;} then struct ucred {pid, uid, gid}.
        if (header.getLong(40) >= 28 && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_CREDENTIALS) {
            pid = control.getInt(16);
        }
        byte[] bytes = new byte[(int) length];
        data.get(0, bytes, 0, bytes.length);
        Message message = new Message(pid, new String(bytes, StandardCharsets.UTF_8));
        received.add(message);
        return message;
    }

    private static byte[] intBytes(int value) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(value).array();
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}
