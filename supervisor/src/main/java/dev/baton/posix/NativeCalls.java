package dev.baton.posix;

import java.util.List;

/**
 * The libc calls {@link Posix} makes, in Java types, so that the binding underneath can change
 * with the JDK: jnr-ffi on 17 to 21, the JDK's own Foreign Function & Memory API from 22 (see
 * {@link Binding}). A call that fails returns minus its errno, whatever the C function's own
 * convention; retries and the meaning of each errno stay in {@link Posix}, the same for both.
 */
interface NativeCalls {
    /** The handler that ignores a signal, {@code (void (*)(int)) 1} on Linux. */
    long SIG_IGN = 1;

    /** Which binding this is, for tests and diagnostics: "jnr" or "ffm". */
    String name();

    int getpid();

    int kill(int pid, int signal);

    /** waitpid; the raw status goes to {@code status[0]}. */
    int waitpid(int pid, int[] status, int options);

    /** waitid into a zeroed siginfo_t; returns its si_pid (0 when no child matched). */
    int waitidPid(int idType, int id, int options);

    int pipe2(int[] fds, int flags);

    int close(int fd);

    long read(int fd, byte[] buffer);

    long write(int fd, byte[] bytes, int offset, int length);

    int fcntl(int fd, int command, int argument);

    int open(String path, int flags, int mode);

    int dup2(int fd, int newFd);

    String strerror(int errno);

    /** clock_gettime; seconds and nanoseconds go to {@code timespec[0]} and {@code [1]}. */
    int clockGettime(int clock, long[] timespec);

    /** pthread_sigmask(SIG_BLOCK) with a set of these signals. */
    int blockSignals(int[] signals);

    /** 1 if every one of these signals is blocked in the calling thread, else 0. */
    int signalsBlocked(int[] signals);

    /** sigwaitinfo on a set of these signals; the sender's pid goes to {@code senderPid[0]}. */
    int sigwaitinfo(int[] signals, int[] senderPid);

    /** signal(signal, SIG_DFL). */
    void resetToDefault(int signal);

    /** signal(signal, SIG_IGN), which discards any of it pending. */
    void ignore(int signal);

    /** execve; returns only on failure. */
    int execve(String path, List<String> argv, List<String> environment);

    /**
     * posix_spawnp with file actions {@code dup2s} (pairs: from, to, in order), closefrom
     * {@code closeFrom}, chdir {@code directory} (if not null), and attributes resetting
     * {@code defaultSignals} to their default action with {@code blocked} as the signal mask.
     * Returns the pid; a failure throws, naming the call that failed.
     */
    int spawn(String file, List<String> argv, List<String> environment, int[] dup2s, int closeFrom,
              String directory, int[] defaultSignals, int[] blocked);

    int socket(int domain, int type, int protocol);

    int setsockoptInt(int fd, int level, int name, int value);

    /** getsockopt of an int option; the value goes to {@code value[0]}. */
    int getsockoptInt(int fd, int level, int name, int[] value);

    int bind(int fd, byte[] address);

    int listen(int fd, int backlog);

    /** getsockname into {@code address}; returns the address length. */
    int getsockname(int fd, byte[] address);

    /** sendto one datagram; returns the bytes sent. */
    long sendto(int fd, byte[] message, byte[] address);

    default PosixException failure(String call, int errno) {
        return new PosixException(call, errno, strerror(errno));
    }
}
