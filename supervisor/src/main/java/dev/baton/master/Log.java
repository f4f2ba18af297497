package dev.baton.master;

import dev.baton.posix.Posix;
import java.io.PrintStream;
import java.time.Instant;

/** One line per lifecycle event, each saying which process it is about: {@code time baton[pid] subject: message}. */
public final class Log {
    private static final PrintStream out = System.err;
    private static final int pid = Posix.pid();

    private Log() {
    }

    public static void line(String subject, String message) {
        String line = Instant.now() + " baton[" + pid + "] " + subject + ": " + message;
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
