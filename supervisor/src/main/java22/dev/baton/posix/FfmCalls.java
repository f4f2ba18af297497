package dev.baton.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * {@link NativeCalls} on the JDK's Foreign Function & Memory API (final since JDK 22): no native
 * library of its own to unpack and load, no sun.misc.Unsafe. errno is captured by the linker
 * right after each call, before the JVM can run anything that would overwrite it. Native memory
 * lives in a confined arena per call and is freed when the call returns.
 */
final class FfmCalls implements NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final long SIGSET_BYTES = 128;
    private static final long SIGINFO_BYTES = 128;
    private static final long SPAWN_ACTIONS_BYTES = 256;
    private static final long SPAWN_ATTRIBUTES_BYTES = 512;
    private static final int SIG_BLOCK = 0;
    /** siginfo_t: si_signo, si_errno, si_code, padding, then si_pid at offset 16. */
    private static final long SI_PID = 16;

    // Calls that report failure through errno take the call-state segment as first argument.
    private static final Downcall KILL = errnoCall("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall WAITPID = errnoCall("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall WAITID = errnoCall("waitid", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall PIPE2 = errnoCall("pipe2", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall CLOSE = errnoCall("close", JAVA_INT, JAVA_INT);
    private static final Downcall READ = errnoCall("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Downcall WRITE = errnoCall("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    private static final Downcall FCNTL = variadicErrnoCall("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall OPEN = variadicErrnoCall("open", 2, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall DUP2 = errnoCall("dup2", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall CLOCK_GETTIME = errnoCall("clock_gettime", JAVA_INT, JAVA_INT, ADDRESS);
    private static final Downcall SIGWAITINFO = errnoCall("sigwaitinfo", JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall EXECVE = errnoCall("execve", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final Downcall SOCKET = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall SETSOCKOPT = errnoCall("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall GETSOCKOPT = errnoCall("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall BIND = errnoCall("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall LISTEN = errnoCall("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final Downcall GETSOCKNAME = errnoCall("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall SENDTO = errnoCall("sendto", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);

    // Calls that cannot fail, or return their error number themselves.
    private static final Downcall GETPID = call("getpid", JAVA_INT);
    private static final Downcall STRERROR = call("strerror", ADDRESS, JAVA_INT);
    private static final Downcall SIGEMPTYSET = call("sigemptyset", JAVA_INT, ADDRESS);
    private static final Downcall SIGADDSET = call("sigaddset", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall SIGISMEMBER = call("sigismember", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall PTHREAD_SIGMASK = call("pthread_sigmask", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall SIGNAL = call("signal", ADDRESS, JAVA_INT, ADDRESS);
    private static final Downcall SPAWNP = call("posix_spawnp", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    private static final Downcall ACTIONS_INIT = call("posix_spawn_file_actions_init", JAVA_INT, ADDRESS);
    private static final Downcall ACTIONS_DESTROY = call("posix_spawn_file_actions_destroy", JAVA_INT, ADDRESS);
    private static final Downcall ADD_DUP2 = call("posix_spawn_file_actions_adddup2", JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    private static final Downcall ADD_CLOSEFROM = call("posix_spawn_file_actions_addclosefrom_np", JAVA_INT, ADDRESS, JAVA_INT);
    private static final Downcall ADD_CHDIR = call("posix_spawn_file_actions_addchdir_np", JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall ATTR_INIT = call("posix_spawnattr_init", JAVA_INT, ADDRESS);
    private static final Downcall ATTR_DESTROY = call("posix_spawnattr_destroy", JAVA_INT, ADDRESS);
    private static final Downcall SET_FLAGS = call("posix_spawnattr_setflags", JAVA_INT, ADDRESS, JAVA_SHORT);
    private static final Downcall SET_SIGMASK = call("posix_spawnattr_setsigmask", JAVA_INT, ADDRESS, ADDRESS);
    private static final Downcall SET_SIGDEFAULT = call("posix_spawnattr_setsigdefault", JAVA_INT, ADDRESS, ADDRESS);

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public int getpid() {
        return plain(arena -> (int) GETPID.handle().invokeExact());
    }

    @Override
    public int kill(int pid, int signal) {
        return withErrno((arena, state) -> (int) KILL.handle().invokeExact(state, pid, signal));
    }

    @Override
    public int waitpid(int pid, int[] status, int options) {
        return withErrno((arena, state) -> {
            MemorySegment raw = arena.allocate(JAVA_INT);
            int result = (int) WAITPID.handle().invokeExact(state, pid, raw, options);
            status[0] = raw.get(JAVA_INT, 0);
            return result;
        });
    }

    @Override
    public int waitidPid(int idType, int id, int options) {
        return withErrno((arena, state) -> {
            MemorySegment info = arena.allocate(SIGINFO_BYTES);
            int result = (int) WAITID.handle().invokeExact(state, idType, id, info, options);
            return result == 0 ? info.get(JAVA_INT, SI_PID) : result;
        });
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        return withErrno((arena, state) -> {
            MemorySegment pair = arena.allocate(JAVA_INT, 2);
            int result = (int) PIPE2.handle().invokeExact(state, pair, flags);
            fds[0] = pair.getAtIndex(JAVA_INT, 0);
            fds[1] = pair.getAtIndex(JAVA_INT, 1);
            return result;
        });
    }

    @Override
    public int close(int fd) {
        return withErrno((arena, state) -> (int) CLOSE.handle().invokeExact(state, fd));
    }

    @Override
    public long read(int fd, byte[] buffer) {
        // A native buffer, not the heap array: read() may block, and a critical call that blocks
        // would hold up the garbage collector.
        return withErrno((arena, state) -> {
            MemorySegment chunk = arena.allocate(buffer.length);
            long n = (long) READ.handle().invokeExact(state, fd, chunk, (long) buffer.length);
            if (n > 0) {
                MemorySegment.copy(chunk, JAVA_BYTE, 0, buffer, 0, (int) n);
            }
            return (int) n;
        });
    }

    @Override
    public long write(int fd, byte[] bytes, int offset, int length) {
        return withErrno((arena, state) -> {
            MemorySegment chunk = arena.allocate(Math.max(1, length));
            MemorySegment.copy(bytes, offset, chunk, JAVA_BYTE, 0, length);
            return (int) (long) WRITE.handle().invokeExact(state, fd, chunk, (long) length);
        });
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        return withErrno((arena, state) -> (int) FCNTL.handle().invokeExact(state, fd, command, argument));
    }

    @Override
    public int open(String path, int flags, int mode) {
        return withErrno((arena, state) -> (int) OPEN.handle().invokeExact(state, arena.allocateFrom(path), flags, mode));
    }

    @Override
    public int dup2(int fd, int newFd) {
        return withErrno((arena, state) -> (int) DUP2.handle().invokeExact(state, fd, newFd));
    }

    @Override
    public String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.handle().invokeExact(errno);
            return message.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    @Override
    public int clockGettime(int clock, long[] timespec) {
        return withErrno((arena, state) -> {
            MemorySegment raw = arena.allocate(JAVA_LONG, 2);
            int result = (int) CLOCK_GETTIME.handle().invokeExact(state, clock, raw);
            timespec[0] = raw.getAtIndex(JAVA_LONG, 0);
            timespec[1] = raw.getAtIndex(JAVA_LONG, 1);
            return result;
        });
    }

    @Override
    public int blockSignals(int[] signals) {
        return plain(arena -> -(int) PTHREAD_SIGMASK.handle().invokeExact(SIG_BLOCK, signalSet(arena, signals), MemorySegment.NULL));
    }

    @Override
    public int signalsBlocked(int[] signals) {
        return plain(arena -> {
            MemorySegment current = arena.allocate(SIGSET_BYTES);
            int result = (int) PTHREAD_SIGMASK.handle().invokeExact(SIG_BLOCK, MemorySegment.NULL, current);
            if (result != 0) {
                return -result;
            }
            for (int signal : signals) {
                if ((int) SIGISMEMBER.handle().invokeExact(current, signal) != 1) {
                    return 0;
                }
            }
            return 1;
        });
    }

    @Override
    public int sigwaitinfo(int[] signals, int[] senderPid) {
        return withErrno((arena, state) -> {
            MemorySegment info = arena.allocate(SIGINFO_BYTES);
            int signal = (int) SIGWAITINFO.handle().invokeExact(state, signalSet(arena, signals), info);
            senderPid[0] = info.get(JAVA_INT, SI_PID);
            return signal;
        });
    }

    @Override
    public void resetToDefault(int signal) {
        plain(arena -> {
            // SIG_DFL is the null handler; the previous handler is of no use here.
            MemorySegment previous = (MemorySegment) SIGNAL.handle().invokeExact(signal, MemorySegment.NULL);
            return 0;
        });
    }

    @Override
    public void ignore(int signal) {
        plain(arena -> {
            MemorySegment previous = (MemorySegment) SIGNAL.handle().invokeExact(signal, MemorySegment.ofAddress(SIG_IGN));
            return 0;
        });
    }

    @Override
    public int execve(String path, List<String> argv, List<String> environment) {
        return withErrno((arena, state) -> (int) EXECVE.handle().invokeExact(state, arena.allocateFrom(path),
                strings(arena, argv), strings(arena, environment)));
    }

    @Override
    public int spawn(String file, List<String> argv, List<String> environment, int[] dup2s, int closeFrom,
                     String directory, int[] defaultSignals, int[] blocked) {
        return plain(arena -> {
            MemorySegment actions = arena.allocate(SPAWN_ACTIONS_BYTES);
            MemorySegment attributes = arena.allocate(SPAWN_ATTRIBUTES_BYTES);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.handle().invokeExact(actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.handle().invokeExact(attributes));
            try {
                for (int i = 0; i < dup2s.length; i += 2) {
                    check("adddup2", (int) ADD_DUP2.handle().invokeExact(actions, dup2s[i], dup2s[i + 1]));
                }
                check("addclosefrom_np", (int) ADD_CLOSEFROM.handle().invokeExact(actions, closeFrom));
                if (directory != null) {
                    check("addchdir_np", (int) ADD_CHDIR.handle().invokeExact(actions, arena.allocateFrom(directory)));
                }
                check("setsigdefault", (int) SET_SIGDEFAULT.handle().invokeExact(attributes, signalSet(arena, defaultSignals)));
                check("setsigmask", (int) SET_SIGMASK.handle().invokeExact(attributes, signalSet(arena, blocked)));
                check("setflags", (int) SET_FLAGS.handle().invokeExact(attributes, Posix.SPAWN_FLAGS));
                MemorySegment pid = arena.allocate(JAVA_INT);
                check(file, (int) SPAWNP.handle().invokeExact(pid, arena.allocateFrom(file), actions, attributes,
                        strings(arena, argv), strings(arena, environment)));
                return pid.get(JAVA_INT, 0);
            } finally {
                // glibc's destroy functions cannot fail; a check here could only hide the real error.
                int ignored = (int) ACTIONS_DESTROY.handle().invokeExact(actions);
                ignored = (int) ATTR_DESTROY.handle().invokeExact(attributes);
            }
        });
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return withErrno((arena, state) -> (int) SOCKET.handle().invokeExact(state, domain, type, protocol));
    }

    @Override
    public int setsockoptInt(int fd, int level, int name, int value) {
        return withErrno((arena, state) ->
                (int) SETSOCKOPT.handle().invokeExact(state, fd, level, name, arena.allocateFrom(JAVA_INT, value), 4));
    }

    @Override
    public int getsockoptInt(int fd, int level, int name, int[] value) {
        return withErrno((arena, state) -> {
            MemorySegment raw = arena.allocate(JAVA_INT);
            int result = (int) GETSOCKOPT.handle().invokeExact(state, fd, level, name, raw, arena.allocateFrom(JAVA_INT, 4));
            value[0] = raw.get(JAVA_INT, 0);
            return result;
        });
    }

    @Override
    public int bind(int fd, byte[] address) {
        return withErrno((arena, state) -> (int) BIND.handle().invokeExact(state, fd, bytes(arena, address), address.length));
    }

    @Override
    public int listen(int fd, int backlog) {
        return withErrno((arena, state) -> (int) LISTEN.handle().invokeExact(state, fd, backlog));
    }

    @Override
    public int getsockname(int fd, byte[] address) {
        return withErrno((arena, state) -> {
            MemorySegment raw = arena.allocate(address.length);
            MemorySegment length = arena.allocateFrom(JAVA_INT, address.length);
            int result = (int) GETSOCKNAME.handle().invokeExact(state, fd, raw, length);
            int filled = Math.min(address.length, length.get(JAVA_INT, 0));
            MemorySegment.copy(raw, JAVA_BYTE, 0, address, 0, filled);
            return result == 0 ? filled : result;
        });
    }

    @Override
    public long sendto(int fd, byte[] message, byte[] address) {
        return withErrno((arena, state) -> (int) (long) SENDTO.handle().invokeExact(state, fd, bytes(arena, message),
                (long) message.length, 0, bytes(arena, address), address.length));
    }

    /** A native call with its arguments in {@code arena}, freed when it returns. */
    private interface Call {
        int call(Arena arena) throws Throwable;
    }

    /** A native call that reports failure by returning -1 and setting errno into {@code state}. */
    private interface ErrnoCall {
        int call(Arena arena, MemorySegment state) throws Throwable;
    }

    private static int plain(Call call) {
        try (Arena arena = Arena.ofConfined()) {
            return call.call(arena);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** Runs the call; -1 becomes minus the errno the linker captured right after it. */
    private static int withErrno(ErrnoCall call) {
        return plain(arena -> {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = call.call(arena, state);
            return result == -1 ? -(int) ERRNO.get(state, 0L) : result;
        });
    }

    private static Downcall call(String name, MemoryLayout result, MemoryLayout... arguments) {
        return new Downcall(name, FunctionDescriptor.of(result, arguments));
    }

    private static Downcall errnoCall(String name, MemoryLayout result, MemoryLayout... arguments) {
        return new Downcall(name, FunctionDescriptor.of(result, arguments), Linker.Option.captureCallState("errno"));
    }

    /** A C function declared with {@code ...} after {@code fixed} arguments (fcntl, open). */
    private static Downcall variadicErrnoCall(String name, int fixed, MemoryLayout result, MemoryLayout... arguments) {
        return new Downcall(name, FunctionDescriptor.of(result, arguments), Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(fixed));
    }

    /**
     * A libc function, linked on its first call: each link spins code, and a master needs only
     * some of them before it listens (the process that re-executes itself fewer still).
     */
    private static final class Downcall {
        private final String name;
        private final FunctionDescriptor descriptor;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
            this.name = name;
            this.descriptor = descriptor;
            this.options = options;
        }

        MethodHandle handle() {
            MethodHandle linked = handle;
            if (linked == null) {
                MemorySegment symbol = LIBC.find(name)
                        .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + " (glibc 2.34 or later needed)"));
                // Two threads racing here link twice; both handles are equivalent.
                handle = linked = LINKER.downcallHandle(symbol, descriptor, options);
            }
            return linked;
        }
    }

    private void check(String call, int result) {
        if (result != 0) {
            throw failure(call, result);
        }
    }

    private static MemorySegment signalSet(Arena arena, int[] signals) throws Throwable {
        MemorySegment set = arena.allocate(SIGSET_BYTES);
        int ignored = (int) SIGEMPTYSET.handle().invokeExact(set);
        for (int signal : signals) {
            ignored = (int) SIGADDSET.handle().invokeExact(set, signal);
        }
        return set;
    }

    private static MemorySegment bytes(Arena arena, byte[] bytes) {
        MemorySegment segment = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, segment, JAVA_BYTE, 0, bytes.length);
        return segment;
    }

    /** A NULL-terminated array of C strings, as argv and envp are. */
    private static MemorySegment strings(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    /** invokeExact declares Throwable; a call through a correctly typed handle throws nothing else. */
    private static RuntimeException unexpected(Throwable e) {
        if (e instanceof RuntimeException runtime) {
            return runtime;
        }
        if (e instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e);
    }
}
