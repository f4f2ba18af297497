package dev.baton.master;

import dev.baton.posix.Posix;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * {@code --log FILE}: the master's stdout and stderr become FILE, reopened on USR1 so logrotate
 * can move it away. Workers write into a pipe the master copies to FILE rather than to FILE
 * itself: a JVM cannot re-point its own stdout without native code, so a worker holding the old
 * file would keep writing to the rotated one.
 */
final class LogFile {
    private final Path path;

    private LogFile(Path path) {
        this.path = path;
    }

    static LogFile open(Path path) {
        LogFile log = new LogFile(path);
        log.reopen();
        return log;
    }

    void reopen() {
        int fd = Posix.openForAppend(path.toString());
        Posix.dup2(fd, 1);
        Posix.dup2(fd, 2);
        Posix.close(fd);
    }

    /** The write end of a pipe for workers' stdout and stderr; a thread copies it to the log. */
    int workerOutput() {
        int[] pipe = Posix.pipe();
        Thread copier = new Thread(() -> copy(pipe[0]), "baton-worker-output");
        copier.setDaemon(true);
        copier.start();
        return pipe[1];
    }

    /** Whole lines only, so a worker's line never splits around one of the master's. */
    private static void copy(int fd) {
        byte[] chunk = new byte[65536];
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        int n;
        while ((n = Posix.read(fd, chunk)) > 0) {
            int end = lastNewline(chunk, n);
            if (end < 0) {
                pending.write(chunk, 0, n);
                if (pending.size() < chunk.length) {
                    continue;
                }
                end = n - 1;
            } else {
                pending.write(chunk, 0, end + 1);
            }
            synchronized (System.err) {
                Posix.write(2, pending.toByteArray());
            }
            pending.reset();
            pending.write(chunk, end + 1, n - end - 1);
        }
    }

    private static int lastNewline(byte[] buffer, int length) {
        for (int i = length - 1; i >= 0; i--) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
