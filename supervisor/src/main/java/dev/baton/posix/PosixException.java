package dev.baton.posix;

/** A failed system call: {@link #errno()} says which failure, the message says which call. */
public final class PosixException extends RuntimeException {
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int ECHILD = 10;
    public static final int EACCES = 13;
    public static final int EPIPE = 32;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;

    private final int errno;

    PosixException(String call, int errno, String description) {
        super(call + ": " + description);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
