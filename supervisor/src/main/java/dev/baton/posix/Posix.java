package dev.baton.posix;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.IntSupplier;

/**
 * Every native call Baton makes goes through here: one narrow, audited surface over libc, bound
 * by whichever {@link NativeCalls} the running JDK takes (FFM from 22, jnr-ffi before). Failures
 * become {@link PosixException}s; EINTR is retried where a retry is the only sane answer.
 * Linux (glibc) only; constants are those of x86-64 and aarch64, which agree on all used here.
 */
public final class Posix {
    /** The outcome of {@link #waitNoHang}: the child is still running. */
    public static final int STILL_RUNNING = Integer.MIN_VALUE;

    static final short SPAWN_FLAGS = 0x04 | 0x08; // POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int P_ALL = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_WRONLY = 0x1;
    private static final int O_CREAT = 0x40;
    private static final int O_APPEND = 0x400;
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int AF_UNIX = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_ACCEPTCONN = 30;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int LAST_SIGNAL = 64;
    private static final int CLOCK_MONOTONIC = 1;

    private static final NativeCalls calls = Binding.load();

    private Posix() {
    }

    /** A signal taken by {@link #awaitSignal}, with the pid of the process that sent it. */
    public record Delivered(int signal, int senderPid) {
    }

    /** The binding in use, "ffm" or "jnr". */
    static String binding() {
        return calls.name();
    }

    public static int pid() {
        return calls.getpid();
    }

    /**
     * The parent's pid: it changes the moment the parent exits (the orphan is re-parented). The
     * JDK reads it from /proc each time, so no binding needs it.
     */
    public static int parentPid() {
        return ProcessHandle.current().parent().map(parent -> (int) parent.pid()).orElse(0);
    }

    /**
     * CLOCK_MONOTONIC in microseconds, the clock systemd's MONOTONIC_USEC means. Read natively
     * because System.nanoTime() promises only some monotonic clock, not this one.
     */
    public static long monotonicMicros() {
        long[] timespec = new long[2];
        check("clock_gettime(CLOCK_MONOTONIC)", calls.clockGettime(CLOCK_MONOTONIC, timespec));
        return timespec[0] * 1_000_000 + timespec[1] / 1_000;
    }

    /** Sends a signal; false if the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        int result = calls.kill(pid, signal);
        if (result == -PosixException.ESRCH) {
            return false;
        }
        check("kill(" + pid + ", " + signal + ")", result);
        return true;
    }

    /** Whether a process with this pid exists (a zombie counts: it has not been reaped yet). */
    public static boolean exists(int pid) {
        return calls.kill(pid, 0) != -PosixException.ESRCH;
    }

    /**
     * Reaps {@code pid} if it has exited, returning its raw wait status, or {@link #STILL_RUNNING}.
     * Only ever for a pid we spawned: waiting on -1 would steal statuses from the JDK's reaper.
     */
    public static int waitNoHang(int pid) {
        int[] status = new int[1];
        int result = retried("waitpid(" + pid + ")", () -> calls.waitpid(pid, status, WNOHANG));
        return result == pid ? status[0] : STILL_RUNNING;
    }

    /**
     * The pid of some child that has exited and is not yet reaped, or 0: it stays unreaped
     * (WNOWAIT), so whoever waits for that pid still gets its status.
     */
    public static int exitedChild() {
        int pid;
        while ((pid = calls.waitidPid(P_ALL, 0, WEXITED | WNOHANG | WNOWAIT)) == -PosixException.EINTR) {
            // retry
        }
        return pid == -PosixException.ECHILD ? 0 : check("waitid", pid);
    }

    /** A pipe as {read end, write end}, both close-on-exec: a child gets one only by dup2. */
    public static int[] pipe() {
        int[] fds = new int[2];
        check("pipe2", calls.pipe2(fds, O_CLOEXEC));
        return fds;
    }

    public static void close(int fd) {
        calls.close(fd);
    }

    /** Blocking read; 0 means end of file. */
    public static int read(int fd, byte[] buffer) {
        return retried("read(" + fd + ")", () -> (int) calls.read(fd, buffer));
    }

    /** Writes all of {@code bytes}; false if the reading end is gone (EPIPE). */
    public static boolean write(int fd, byte[] bytes) {
        int offset = 0;
        while (offset < bytes.length) {
            long n = calls.write(fd, bytes, offset, bytes.length - offset);
            if (n == -PosixException.EINTR) {
                continue;
            }
            if (n == -PosixException.EPIPE) {
                return false;
            }
            offset += check("write(" + fd + ")", (int) n);
        }
        return true;
    }

    /** Opens a file for appending (created 0644 if missing), close-on-exec. */
    public static int openForAppend(String path) {
        return check("open(" + path + ")", calls.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    }

    /** Points {@code newFd} at what {@code fd} is open on; the copy is not close-on-exec. */
    public static void dup2(int fd, int newFd) {
        retried("dup2(" + fd + ", " + newFd + ")", () -> calls.dup2(fd, newFd));
    }

    public static void setCloseOnExec(int fd, boolean closeOnExec) {
        int flags = check("fcntl(" + fd + ", F_GETFD)", calls.fcntl(fd, F_GETFD, 0));
        int wanted = closeOnExec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (wanted != flags) {
            check("fcntl(" + fd + ", F_SETFD)", calls.fcntl(fd, F_SETFD, wanted));
        }
    }

    /** Blocks the signals in the calling thread; threads it creates afterwards inherit the mask. */
    public static void blockSignals(int... signals) {
        check("pthread_sigmask", calls.blockSignals(signals));
    }

    /** Whether all of {@code signals} are blocked in the calling thread. */
    public static boolean signalsBlocked(int... signals) {
        return check("pthread_sigmask", calls.signalsBlocked(signals)) == 1;
    }

    /** Waits for one of {@code signals}, which must be blocked in every thread of the process. */
    public static Delivered awaitSignal(int... signals) {
        int[] sender = new int[1];
        int signal = retried("sigwaitinfo", () -> calls.sigwaitinfo(signals, sender));
        return new Delivered(signal, sender[0]);
    }

    /** Restores the default action, e.g. for a signal a shell's {@code &} left ignored. */
    public static void resetToDefault(int signal) {
        calls.resetToDefault(signal);
    }

    /** Ignores the signal, which discards any of it pending (Linux still queues it while blocked). */
    public static void ignore(int signal) {
        calls.ignore(signal);
    }

    /** Replaces this process image; returns only by throwing. */
    public static void exec(List<String> argv, Map<String, String> environment) {
        int result = calls.execve(argv.get(0), argv, entries(environment));
        throw calls.failure("execve(" + argv.get(0) + ")", -result);
    }

    /**
     * Starts {@code argv} (found on PATH) with exactly the fds in {@code fds} (child fd to parent
     * fd; the child's fds above 2 must be numbered without gaps), every signal at its default
     * action, {@code blocked} as its signal mask, in {@code directory} if not null. Returns its pid.
     */
    public static int spawn(List<String> argv, Map<String, String> environment, SortedMap<Integer, Integer> fds,
                            String directory, int... blocked) {
        int highest = Math.max(2, fds.isEmpty() ? 2 : fds.lastKey());
        for (int target = 3; target <= highest; target++) {
            if (!fds.containsKey(target)) {
                throw new IllegalArgumentException("fd " + target + " missing: a gap would leak the parent's fd");
            }
        }
        // Two rounds of dup2 through fds above every source and target, so that placing one
        // fd never overwrites another that is still to be placed.
        int scratch = Math.max(highest, fds.values().stream().mapToInt(Integer::intValue).max().orElse(0)) + 1;
        int[] dup2s = new int[fds.size() * 4];
        int i = 0;
        int slot = scratch;
        for (int source : fds.values()) {
            dup2s[i++] = source;
            dup2s[i++] = slot++;
        }
        slot = scratch;
        for (int target : fds.keySet()) {
            dup2s[i++] = slot++;
            dup2s[i++] = target;
        }
        int[] everySignal = new int[LAST_SIGNAL];
        for (int signal = 1; signal <= LAST_SIGNAL; signal++) {
            everySignal[signal - 1] = signal;
        }
        // closefrom drops the scratch copies and every fd the JDK left open: its jars, its sockets.
        return calls.spawn(argv.get(0), argv, entries(environment), dup2s, highest + 1, directory, everySignal, blocked);
    }

    /** A listening TCP socket, close-on-exec, bound with SO_REUSEADDR (and IPV6_V6ONLY for IPv6). */
    public static int listen(InetSocketAddress address, int backlog) {
        boolean v6 = address.getAddress() instanceof Inet6Address;
        int fd = check("socket", calls.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        try {
            check("setsockopt", calls.setsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1));
            if (v6) {
                // Lets [::]:port and 0.0.0.0:port be separate listeners, as each --listen says.
                check("setsockopt", calls.setsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1));
            }
            check("bind", calls.bind(fd, sockaddr(address)));
            check("listen", calls.listen(fd, backlog));
            return fd;
        } catch (RuntimeException e) {
            calls.close(fd);
            throw e;
        }
    }

    /** Whether {@code fd} is a socket in the listening state. */
    public static boolean isListening(int fd) {
        int[] value = new int[1];
        return calls.getsockoptInt(fd, SOL_SOCKET, SO_ACCEPTCONN, value) == 0 && value[0] == 1;
    }

    /** The address a socket is bound to. */
    public static InetSocketAddress localAddress(int fd) {
        byte[] buffer = new byte[128];
        check("getsockname(" + fd + ")", calls.getsockname(fd, buffer));
        ByteBuffer in = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
        int family = in.getShort(0);
        int port = ((buffer[2] & 0xff) << 8) | (buffer[3] & 0xff);
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(buffer, 4, 8)), port);
            }
            if (family == AF_INET6) {
                byte[] address = Arrays.copyOfRange(buffer, 8, 24);
                return new InetSocketAddress(Inet6Address.getByAddress(null, address, in.getInt(24)), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        throw new PosixException("getsockname(" + fd + ")", 0, "not an IPv4 or IPv6 socket (family " + family + ")");
    }

    /** An unbound Unix datagram socket, close-on-exec, for {@link #sendDatagram}. */
    public static int datagramSocket() {
        return check("socket(AF_UNIX, SOCK_DGRAM)", calls.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    }

    /**
     * Sends one datagram to the Unix socket at {@code path}: a filesystem path, or an abstract
     * name when it starts with NUL, whose address length is then exact (no trailing NUL).
     */
    public static void sendDatagram(int fd, String path, byte[] message) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = name.length > 0 && name[0] == 0;
        // sockaddr_un: sa_family_t, then sun_path (108 bytes), NUL-terminated unless abstract.
        byte[] address = new byte[2 + name.length + (abstractName ? 0 : 1)];
        ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).putShort((short) AF_UNIX).put(name);
        retried("sendto(" + path.replace('\0', '@') + ")", () -> (int) calls.sendto(fd, message, address));
    }
    private static byte[] sockaddr(InetSocketAddress address) {
        InetAddress host = address.getAddress();
        if (host instanceof Inet4Address) {
            ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            out.putShort((short) AF_INET);
            out.order(ByteOrder.BIG_ENDIAN).putShort((short) address.getPort());
            out.put(host.getAddress());
            return out.array();
        }
        Inet6Address v6 = (Inet6Address) host;
        ByteBuffer out = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
        out.putShort((short) AF_INET6);
        out.order(ByteOrder.BIG_ENDIAN).putShort((short) address.getPort());
        out.putInt(0);
        out.put(v6.getAddress());
        out.order(ByteOrder.nativeOrder()).putInt(v6.getScopeId());
        return out.array();
    }

    private static List<String> entries(Map<String, String> environment) {
        List<String> entries = new ArrayList<>();
        environment.forEach((name, value) -> entries.add(name + "=" + value));
        return entries;
    }

    /** Calls again while it fails with EINTR; returns the result, or throws on another failure. */
    private static int retried(String call, IntSupplier nativeCall) {
        int result;
        while ((result = nativeCall.getAsInt()) == -PosixException.EINTR) {
            // retry
        }
        return check(call, result);
    }

    /** Returns a non-negative result; a negative one is minus an errno, thrown. */
    private static int check(String call, int result) {
        if (result < 0) {
            throw calls.failure(call, -result);
        }
        return result;
    }
}
