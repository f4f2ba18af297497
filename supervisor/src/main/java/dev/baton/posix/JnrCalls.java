package dev.baton.posix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/** {@link NativeCalls} on jnr-ffi: for JDK 17 to 21, which have no final FFM API. */
final class JnrCalls implements NativeCalls {
    private static final int SIGSET_BYTES = 128;
    private static final int SIGINFO_BYTES = 128;
    private static final int SIG_BLOCK = 0;
    /** siginfo_t: si_signo, si_errno, si_code, padding, then si_pid at offset 16. */
    private static final int SI_PID = 16;

    static {
        // jnr's default binds by generating classes with its own copy of ASM: about 300 more
        // classes and 2 MB of the master's memory, for a handful of calls that are never hot.
        if (System.getProperty("jnr.ffi.asm.enabled") == null) {
            System.setProperty("jnr.ffi.asm.enabled", "false");
        }
    }

    private final LibC libc = LibraryLoader.create(LibC.class).load("c");
    private final Runtime runtime = Runtime.getRuntime(libc);

    @Override
    public String name() {
        return "jnr";
    }

    @Override
    public int getpid() {
        return libc.getpid();
    }

    @Override
    public int kill(int pid, int signal) {
        return result(libc.kill(pid, signal));
    }

    @Override
    public int waitpid(int pid, int[] status, int options) {
        IntByReference raw = new IntByReference();
        int result = result(libc.waitpid(pid, raw, options));
        status[0] = raw.intValue();
        return result;
    }

    @Override
    public int waitidPid(int idType, int id, int options) {
        Pointer info = Memory.allocateDirect(runtime, SIGINFO_BYTES, true);
        int result = result(libc.waitid(idType, id, info, options));
        return result < 0 ? result : info.getInt(SI_PID);
    }

    @Override
    public int pipe2(int[] fds, int flags) {
        return result(libc.pipe2(fds, flags));
    }

    @Override
    public int close(int fd) {
        return result(libc.close(fd));
    }

    @Override
    public long read(int fd, byte[] buffer) {
        long n = libc.read(fd, buffer, buffer.length);
        return n < 0 ? -errno() : n;
    }

    @Override
    public long write(int fd, byte[] bytes, int offset, int length) {
        byte[] part = offset == 0 && length == bytes.length ? bytes
                : java.util.Arrays.copyOfRange(bytes, offset, offset + length);
        long n = libc.write(fd, part, length);
        return n < 0 ? -errno() : n;
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        return result(libc.fcntl(fd, command, argument));
    }

    @Override
    public int open(String path, int flags, int mode) {
        return result(libc.open(path, flags, mode));
    }

    @Override
    public int dup2(int fd, int newFd) {
        return result(libc.dup2(fd, newFd));
    }

    @Override
    public String strerror(int errno) {
        return libc.strerror(errno);
    }

    @Override
    public int clockGettime(int clock, long[] timespec) {
        return result(libc.clock_gettime(clock, timespec));
    }

    @Override
    public int blockSignals(int[] signals) {
        return -libc.pthread_sigmask(SIG_BLOCK, signalSet(signals), null);
    }

    @Override
    public int signalsBlocked(int[] signals) {
        Pointer current = Memory.allocateDirect(runtime, SIGSET_BYTES, true);
        int result = libc.pthread_sigmask(SIG_BLOCK, null, current);
        if (result != 0) {
            return -result;
        }
        for (int signal : signals) {
            if (libc.sigismember(current, signal) != 1) {
                return 0;
            }
        }
        return 1;
    }

    @Override
    public int sigwaitinfo(int[] signals, int[] senderPid) {
        Pointer info = Memory.allocateDirect(runtime, SIGINFO_BYTES, true);
        int signal = result(libc.sigwaitinfo(signalSet(signals), info));
        senderPid[0] = info.getInt(SI_PID);
        return signal;
    }

    @Override
    public void resetToDefault(int signal) {
        libc.signal(signal, null);
    }

    @Override
    public void ignore(int signal) {
        libc.signal(signal, Pointer.wrap(runtime, SIG_IGN));
    }

    @Override
    public int execve(String path, List<String> argv, List<String> environment) {
        CStrings strings = new CStrings();
        return result(libc.execve(path, strings.array(argv), strings.array(environment)));
    }

    @Override
    public int spawn(String file, List<String> argv, List<String> environment, int[] dup2s, int closeFrom,
                     String directory, int[] defaultSignals, int[] blocked) {
        Pointer actions = Memory.allocateDirect(runtime, 256, true);
        Pointer attributes = Memory.allocateDirect(runtime, 512, true);
        check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
        check("posix_spawnattr_init", libc.posix_spawnattr_init(attributes));
        try {
            for (int i = 0; i < dup2s.length; i += 2) {
                check("adddup2", libc.posix_spawn_file_actions_adddup2(actions, dup2s[i], dup2s[i + 1]));
            }
            check("addclosefrom_np", libc.posix_spawn_file_actions_addclosefrom_np(actions, closeFrom));
            if (directory != null) {
                check("addchdir_np", libc.posix_spawn_file_actions_addchdir_np(actions, directory));
            }
            check("setsigdefault", libc.posix_spawnattr_setsigdefault(attributes, signalSet(defaultSignals)));
            check("setsigmask", libc.posix_spawnattr_setsigmask(attributes, signalSet(blocked)));
            check("setflags", libc.posix_spawnattr_setflags(attributes, Posix.SPAWN_FLAGS));
            CStrings strings = new CStrings();
            IntByReference pid = new IntByReference();
            check(file, libc.posix_spawnp(pid, file, actions, attributes, strings.array(argv), strings.array(environment)));
            return pid.intValue();
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            libc.posix_spawnattr_destroy(attributes);
        }
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return result(libc.socket(domain, type, protocol));
    }

    @Override
    public int setsockoptInt(int fd, int level, int name, int value) {
        return result(libc.setsockopt(fd, level, name, new IntByReference(value), 4));
    }

    @Override
    public int getsockoptInt(int fd, int level, int name, int[] value) {
        IntByReference raw = new IntByReference();
        int result = result(libc.getsockopt(fd, level, name, raw, new IntByReference(4)));
        value[0] = raw.intValue();
        return result;
    }

    @Override
    public int bind(int fd, byte[] address) {
        return result(libc.bind(fd, address, address.length));
    }

    @Override
    public int listen(int fd, int backlog) {
        return result(libc.listen(fd, backlog));
    }

    @Override
    public int getsockname(int fd, byte[] address) {
        IntByReference length = new IntByReference(address.length);
        int result = result(libc.getsockname(fd, address, length));
        return result < 0 ? result : length.intValue();
    }

    @Override
    public long sendto(int fd, byte[] message, byte[] address) {
        long n = libc.sendto(fd, message, message.length, 0, address, address.length);
        return n < 0 ? -errno() : n;
    }

    private void check(String call, int result) {
        if (result != 0) {
            throw failure(call, result);
        }
    }

    /** A C result of -1 becomes minus errno; anything else passes. */
    private int result(int value) {
        return value == -1 ? -errno() : value;
    }

    private int errno() {
        return LastError.getLastError(runtime);
    }

    private Pointer signalSet(int... signals) {
        Pointer set = Memory.allocateDirect(runtime, SIGSET_BYTES, true);
        libc.sigemptyset(set);
        for (int signal : signals) {
            libc.sigaddset(set, signal);
        }
        return set;
    }

    /** NUL-terminated arrays of C strings, kept reachable until the call that uses them returns. */
    private final class CStrings {
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
    }
}
