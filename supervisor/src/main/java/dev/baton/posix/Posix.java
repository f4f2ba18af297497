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
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Every native call Baton makes goes through here: one narrow, audited surface over {@link LibC}.
 * Failures become {@link PosixException}s; EINTR is retried where a retry is the only sane answer.
 * Linux (glibc) only; constants are those of x86-64 and aarch64, which agree on all used here.
 */
public final class Posix {
    /** The outcome of {@link #waitNoHang}: the child is still running. */
    public static final int STILL_RUNNING = Integer.MIN_VALUE;

    private static final int SIGSET_BYTES = 128;
    private static final int SIGINFO_BYTES = 128;
    private static final int SIG_BLOCK = 0;
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
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int SO_ACCEPTCONN = 30;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int LAST_SIGNAL = 64;
    private static final int CLOCK_MONOTONIC = 1;

    private static final LibC libc = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime runtime = Runtime.getRuntime(libc);

    private Posix() {
    }

    /** A signal taken by {@link #awaitSignal}, with the pid of the process that sent it. */
    public record Delivered(int signal, int senderPid) {
    }

    public static int pid() {
        return libc.getpid();
    }

    /** The parent's pid: it changes the moment the parent exits (the orphan is re-parented). */
    public static int parentPid() {
        return libc.getppid();
    }

    /**
     * CLOCK_MONOTONIC in microseconds, the clock systemd's MONOTONIC_USEC means. Read natively
     * because System.nanoTime() promises only some monotonic clock, not this one.
     */
    public static long monotonicMicros() {
        long[] timespec = new long[2];
        if (libc.clock_gettime(CLOCK_MONOTONIC, timespec) != 0) {
            throw failure("clock_gettime(CLOCK_MONOTONIC)", errno());
        }
        return timespec[0] * 1_000_000 + timespec[1] / 1_000;
    }

    /** Sends a signal; false if the process no longer exists. */
    public static boolean kill(int pid, int signal) {
        if (libc.kill(pid, signal) == 0) {
            return true;
        }
        int errno = errno();
        if (errno == PosixException.ESRCH) {
            return false;
        }
        throw failure("kill(" + pid + ", " + signal + ")", errno);
    }

    /** Whether a process with this pid exists (a zombie counts: it has not been reaped yet). */
    public static boolean exists(int pid) {
        return libc.kill(pid, 0) == 0 || errno() != PosixException.ESRCH;
    }

    /**
     * Reaps {@code pid} if it has exited, returning its raw wait status, or {@link #STILL_RUNNING}.
     * Only ever for a pid we spawned: waiting on -1 would steal statuses from the JDK's reaper.
     */
    public static int waitNoHang(int pid) {
        IntByReference status = new IntByReference();
        while (true) {
            int result = libc.waitpid(pid, status, WNOHANG);
            if (result == pid) {
                return status.intValue();
            }
            if (result == 0) {
                return STILL_RUNNING;
            }
            int errno = errno();
            if (errno != PosixException.EINTR) {
                throw failure("waitpid(" + pid + ")", errno);
            }
        }
    }

    /**
     * The pid of some child that has exited and is not yet reaped, or 0: it stays unreaped
     * (WNOWAIT), so whoever waits for that pid still gets its status.
     */
    public static int exitedChild() {
        Pointer info = Memory.allocateDirect(runtime, SIGINFO_BYTES, true);
        while (libc.waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            int errno = errno();
            if (errno == PosixException.ECHILD) {
                return 0;
            }
            if (errno != PosixException.EINTR) {
                throw failure("waitid", errno);
            }
        }
        // siginfo_t: si_pid at offset 16, as for sigwaitinfo; zeroed when no child has exited.
        return info.getInt(16);
    }

    /** A pipe as {read end, write end}, both close-on-exec: a child gets one only by dup2. */
    public static int[] pipe() {
        int[] fds = new int[2];
        if (libc.pipe2(fds, O_CLOEXEC) != 0) {
            throw failure("pipe2", errno());
        }
        return fds;
    }

    public static void close(int fd) {
        libc.close(fd);
    }

    /** Blocking read; 0 means end of file. */
    public static int read(int fd, byte[] buffer) {
        while (true) {
            long n = libc.read(fd, buffer, buffer.length);
            if (n >= 0) {
                return (int) n;
            }
            int errno = errno();
            if (errno != PosixException.EINTR) {
                throw failure("read(" + fd + ")", errno);
            }
        }
    }

    /** Writes all of {@code bytes}; false if the reading end is gone (EPIPE). */
    public static boolean write(int fd, byte[] bytes) {
        int offset = 0;
        while (offset < bytes.length) {
            byte[] rest = offset == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, offset, bytes.length);
            long n = libc.write(fd, rest, rest.length);
            if (n < 0) {
                int errno = errno();
                if (errno == PosixException.EINTR) {
                    continue;
                }
                if (errno == PosixException.EPIPE) {
                    return false;
                }
                throw failure("write(" + fd + ")", errno);
            }
            offset += (int) n;
        }
        return true;
    }

    /** Opens a file for appending (created 0644 if missing), close-on-exec. */
    public static int openForAppend(String path) {
        int fd = libc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0) {
            throw failure("open(" + path + ")", errno());
        }
        return fd;
    }

    /** Points {@code newFd} at what {@code fd} is open on; the copy is not close-on-exec. */
    public static void dup2(int fd, int newFd) {
        while (libc.dup2(fd, newFd) < 0) {
            int errno = errno();
            if (errno != PosixException.EINTR) {
                throw failure("dup2(" + fd + ", " + newFd + ")", errno);
            }
        }
    }

    public static void setCloseOnExec(int fd, boolean closeOnExec) {
        int flags = libc.fcntl(fd, F_GETFD, 0);
        if (flags < 0) {
            throw failure("fcntl(" + fd + ", F_GETFD)", errno());
        }
        int wanted = closeOnExec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (wanted != flags && libc.fcntl(fd, F_SETFD, wanted) < 0) {
            throw failure("fcntl(" + fd + ", F_SETFD)", errno());
        }
    }

    /** Blocks the signals in the calling thread; threads it creates afterwards inherit the mask. */
    public static void blockSignals(int... signals) {
        int result = libc.pthread_sigmask(SIG_BLOCK, signalSet(signals), null);
        if (result != 0) {
            throw failure("pthread_sigmask", result);
        }
    }

    /** Whether all of {@code signals} are blocked in the calling thread. */
    public static boolean signalsBlocked(int... signals) {
        Pointer current = Memory.allocateDirect(runtime, SIGSET_BYTES, true);
        int result = libc.pthread_sigmask(SIG_BLOCK, null, current);
        if (result != 0) {
            throw failure("pthread_sigmask", result);
        }
        for (int signal : signals) {
            if (libc.sigismember(current, signal) != 1) {
                return false;
            }
        }
        return true;
    }

    /** Waits for one of {@code signals}, which must be blocked in every thread of the process. */
    public static Delivered awaitSignal(int... signals) {
        Pointer set = signalSet(signals);
        Pointer info = Memory.allocateDirect(runtime, SIGINFO_BYTES, true);
        while (true) {
            int signal = libc.sigwaitinfo(set, info);
            if (signal > 0) {
                // siginfo_t: si_signo, si_errno, si_code, padding, then si_pid at offset 16.
                return new Delivered(signal, info.getInt(16));
            }
            int errno = errno();
            if (errno != PosixException.EINTR) {
                throw failure("sigwaitinfo", errno);
            }
        }
    }

    /** Restores the default action, e.g. for a signal a shell's {@code &} left ignored. */
    public static void resetToDefault(int signal) {
        libc.signal(signal, null);
    }

    /** Replaces this process image; returns only by throwing. */
    public static void exec(List<String> argv, Map<String, String> environment) {
        CStrings strings = new CStrings();
        libc.execve(argv.get(0), strings.array(argv), strings.array(environment));
        throw failure("execve(" + argv.get(0) + ")", errno());
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
        Pointer actions = Memory.allocateDirect(runtime, 256, true);
        Pointer attributes = Memory.allocateDirect(runtime, 512, true);
        check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
        check("posix_spawnattr_init", libc.posix_spawnattr_init(attributes));
        try {
            // Two rounds of dup2 through fds above every source and target, so that placing one
            // fd never overwrites another that is still to be placed.
            int scratch = Math.max(highest, fds.values().stream().mapToInt(Integer::intValue).max().orElse(0)) + 1;
            int slot = scratch;
            for (int source : fds.values()) {
                check("adddup2", libc.posix_spawn_file_actions_adddup2(actions, source, slot++));
            }
            slot = scratch;
            for (int target : fds.keySet()) {
                check("adddup2", libc.posix_spawn_file_actions_adddup2(actions, slot++, target));
            }
            // The JDK marks nothing close-on-exec: without this the child inherits every jar and socket.
            check("addclosefrom_np", libc.posix_spawn_file_actions_addclosefrom_np(actions, highest + 1));
            if (directory != null) {
                check("addchdir_np", libc.posix_spawn_file_actions_addchdir_np(actions, directory));
            }
            int[] everySignal = new int[LAST_SIGNAL];
            for (int signal = 1; signal <= LAST_SIGNAL; signal++) {
                everySignal[signal - 1] = signal;
            }
            check("setsigdefault", libc.posix_spawnattr_setsigdefault(attributes, signalSet(everySignal)));
            check("setsigmask", libc.posix_spawnattr_setsigmask(attributes, signalSet(blocked)));
            check("setflags", libc.posix_spawnattr_setflags(attributes,
                    (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)));
            CStrings strings = new CStrings();
            IntByReference pid = new IntByReference();
            int result = libc.posix_spawnp(pid, argv.get(0), actions, attributes,
                    strings.array(argv), strings.array(environment));
            if (result != 0) {
                throw failure(argv.get(0), result);
            }
            return pid.intValue();
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            libc.posix_spawnattr_destroy(attributes);
        }
    }

    /** A listening TCP socket, close-on-exec, bound with SO_REUSEADDR (and IPV6_V6ONLY for IPv6). */
    public static int listen(InetSocketAddress address, int backlog) {
        boolean v6 = address.getAddress() instanceof Inet6Address;
        int fd = libc.socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", errno());
        }
        try {
            setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            if (v6) {
                // Lets [::]:port and 0.0.0.0:port be separate listeners, as each --listen says.
                setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
            }
            byte[] sockaddr = sockaddr(address);
            if (libc.bind(fd, sockaddr, sockaddr.length) != 0) {
                throw failure("bind", errno());
            }
            if (libc.listen(fd, backlog) != 0) {
                throw failure("listen", errno());
            }
            return fd;
        } catch (RuntimeException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** Whether {@code fd} is a socket in the listening state. */
    public static boolean isListening(int fd) {
        IntByReference value = new IntByReference();
        IntByReference length = new IntByReference(4);
        return libc.getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, value, length) == 0 && value.intValue() == 1;
    }

    /** The address a socket is bound to. */
    public static InetSocketAddress localAddress(int fd) {
        byte[] buffer = new byte[128];
        IntByReference length = new IntByReference(buffer.length);
        if (libc.getsockname(fd, buffer, length) != 0) {
            throw failure("getsockname(" + fd + ")", errno());
        }
        ByteBuffer in = ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder());
        int family = in.getShort(0);
        int port = ((buffer[2] & 0xff) << 8) | (buffer[3] & 0xff);
        try {
            if (family == AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(buffer, 4, 8)), port);
            }
            if (family == AF_INET6) {
                byte[] address = java.util.Arrays.copyOfRange(buffer, 8, 24);
                return new InetSocketAddress(Inet6Address.getByAddress(null, address, in.getInt(24)), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        throw new PosixException("getsockname(" + fd + ")", 0, "not an IPv4 or IPv6 socket (family " + family + ")");
    }

    private static void setIntOption(int fd, int level, int name, int value) {
        if (libc.setsockopt(fd, level, name, new IntByReference(value), 4) != 0) {
            throw failure("setsockopt", errno());
        }
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

    private static Pointer signalSet(int... signals) {
        Pointer set = Memory.allocateDirect(runtime, SIGSET_BYTES, true);
        libc.sigemptyset(set);
        for (int signal : signals) {
            libc.sigaddset(set, signal);
        }
        return set;
    }

    private static void check(String call, int result) {
        if (result != 0) {
            throw failure(call, result);
        }
    }

    private static int errno() {
        return LastError.getLastError(runtime);
    }

    private static PosixException failure(String call, int errno) {
        return new PosixException(call, errno, libc.strerror(errno));
    }

    /** NUL-terminated arrays of C strings, kept reachable until the call that uses them returns. */
    private static final class CStrings {
        private final List<Pointer> keepAlive = new ArrayList<>();

        Pointer array(List<String> strings) {
            int width = runtime.addressSize();
            Pointer array = Memory.allocateDirect(runtime, (strings.size() + 1) * width, true);
            for (int i = 0; i < strings.size(); i++) {
                byte[] bytes = strings.get(i).getBytes(StandardCharsets.UTF_8);
                Pointer string = Memory.allocateDirect(runtime, bytes.length + 1, true);
                string.put(0, bytes, 0, bytes.length);
                keepAlive.add(string);
                array.putPointer((long) i * width, string);
            }
            keepAlive.add(array);
            return array;
        }

        Pointer array(Map<String, String> environment) {
            List<String> entries = new ArrayList<>();
            environment.forEach((name, value) -> entries.add(name + "=" + value));
            return array(entries);
        }
    }
}
