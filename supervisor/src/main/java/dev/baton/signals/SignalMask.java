package dev.baton.signals;

import dev.baton.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Puts the master's JVM in the one state where it can take every Unicorn signal safely.
 *
 * <p>HotSpot refuses to let Java handle QUIT, uses USR2 internally, and Java code inside a native
 * signal handler crashes it under load. What works: every JVM thread starts with the signals
 * blocked, {@code -Xrs} keeps HotSpot's own handlers off them, {@code _JAVA_SR_SIGNUM} moves its
 * suspend/resume signal off USR2, and one thread takes them with {@code sigwaitinfo}. A mask can
 * only be inherited from before the JVM starts, so a master launched without it blocks the
 * signals in its own thread and execs itself: same pid, about 250 ms, once.
 */
public final class SignalMask {
    static final String SR_SIGNUM = "_JAVA_SR_SIGNUM";
    private static final String SR_SIGNUM_VALUE = "40";

    private SignalMask() {
    }

    /** Returns if this JVM is already in that state; otherwise re-executes it and never returns. */
    public static void ensure(Set<Integer> fdsToKeep) {
        if (ready()) {
            return;
        }
        List<String> argv = commandLine();
        if (!argv.contains("-Xrs")) {
            argv.add(1, "-Xrs");
        }
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put(SR_SIGNUM, SR_SIGNUM_VALUE);
        Posix.blockSignals(Signal.numbers(Signal.HANDLED));
        // A job started with & from a non-interactive shell has INT and QUIT ignored, and an
        // ignored signal is discarded even while blocked: restore the default, now harmless.
        Posix.resetToDefault(Signal.INT.number());
        Posix.resetToDefault(Signal.QUIT.number());
        markCloseOnExec(fdsToKeep);
        Posix.exec(argv, environment);
    }

    /**
     * Drops every signal a master takes that is pending now: a parked standby's, sent to it before
     * it was the master (a {@code pkill} aimed at every process). Linux queues a blocked signal
     * even while it is ignored, but discards the pending ones when it becomes ignored; back at
     * the default action, still blocked, new ones wait for the master's {@code sigwaitinfo}.
     */
    public static void dropPending() {
        for (int signal : Signal.numbers(Signal.REQUIRED)) {
            Posix.ignore(signal);
            Posix.resetToDefault(signal);
        }
    }

    /** The mask a process started by the master should keep to need no re-exec of its own. */
    public static int[] blockedForMaster() {
        return Signal.numbers(Signal.HANDLED);
    }

    /**
     * CHLD may be unblocked: bash unblocks it at startup, so a new master started on USR2 through
     * bin/baton always arrives without it, and insisting would cost every upgrade a re-exec
     * (~0.6 s). The master does not need it: an exited worker's control channel closes, and that
     * wakes the loop to reap it. The command line is read from /proc rather than the runtime
     * MXBean, which would load java.management for this one question (about 1 MB of the master).
     */
    private static boolean ready() {
        return SR_SIGNUM_VALUE.equals(System.getenv(SR_SIGNUM))
                && commandLine().contains("-Xrs")
                && Posix.signalsBlocked(Signal.numbers(Signal.REQUIRED));
    }

    /** This JVM's command line as it was started, its java named by its real path. */
    public static List<String> commandLine() {
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8);
            List<String> argv = new ArrayList<>(Arrays.asList(raw.split("\0")));
            // /proc/self/exe survives a JDK upgraded in place better than argv[0] resolved on PATH.
            argv.set(0, Path.of("/proc/self/exe").toRealPath().toString());
            return argv;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's command line: " + e.getMessage(), e);
        }
    }

    private static void markCloseOnExec(Set<Integer> fdsToKeep) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : fds) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                if (fd > 2 && !fdsToKeep.contains(fd)) {
                    try {
                        Posix.setCloseOnExec(fd, true);
                    } catch (RuntimeException closedMeanwhile) {
                        // The directory stream's own fd is gone by now; nothing to keep from it.
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/fd: " + e.getMessage(), e);
        }
    }
}
