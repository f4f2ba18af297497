package dev.baton.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * The glibc calls Baton needs, bound with jnr-ffi for JDKs without the FFM API (17 to 21). Only
 * {@link JnrCalls} uses it; it is public only because jnr-ffi implements it in a class loader of
 * its own.
 */
public interface LibC {
    int getpid();

    int kill(int pid, int signal);

    int waitpid(int pid, @Out IntByReference status, int options);

    int waitid(int idType, int id, Pointer info, int options);

    int pipe2(@Out int[] fds, int flags);

    int close(int fd);

    long read(int fd, @Out byte[] buffer, long count);

    long write(int fd, @In byte[] buffer, long count);

    int fcntl(int fd, int command, int argument);

    int open(String path, int flags, int mode);

    int dup2(int fd, int newFd);

    String strerror(int errno);

    /** {@code timespec} is two 64-bit words on x86-64 and aarch64: seconds, nanoseconds. */
    int clock_gettime(int clock, @Out long[] timespec);

    // Signals. Sets are opaque sigset_t buffers filled by glibc itself.
    int sigemptyset(Pointer set);

    int sigaddset(Pointer set, int signal);

    int sigismember(Pointer set, int signal);

    int pthread_sigmask(int how, Pointer set, Pointer oldSet);

    int sigwaitinfo(Pointer set, Pointer info);

    Pointer signal(int signal, Pointer handler);

    int execve(String path, Pointer argv, Pointer envp);

    // Spawning: the only way to hand a child exactly the fds we choose, with a clean signal state.
    int posix_spawnp(@Out IntByReference pid, String file, Pointer fileActions, Pointer attributes,
                     Pointer argv, Pointer envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

    int posix_spawnattr_init(Pointer attributes);

    int posix_spawnattr_destroy(Pointer attributes);

    int posix_spawnattr_setflags(Pointer attributes, short flags);

    int posix_spawnattr_setsigmask(Pointer attributes, Pointer mask);

    int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

    // Listening sockets are created natively so their fd numbers are known without reflection.
    int socket(int domain, int type, int protocol);

    int setsockopt(int fd, int level, int name, @In IntByReference value, int length);

    int bind(int fd, @In byte[] address, int length);

    int listen(int fd, int backlog);

    int getsockname(int fd, @Out byte[] address, IntByReference length);

    int getsockopt(int fd, int level, int name, @Out IntByReference value, IntByReference length);

    long sendto(int fd, @In byte[] message, long length, int flags, @In byte[] address, int addressLength);
}
