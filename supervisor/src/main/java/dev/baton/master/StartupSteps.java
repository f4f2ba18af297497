package dev.baton.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a master's start-up time goes, from the exec of its JVM to its first worker's spawn: the
 * path a deploy waits on twice (new master, then its workers), or, for a woken {@link Standby},
 * from its wake-up. Logged with
 * {@code --verbose-startup}, and always in {@code status} as {@code startup_ms}.
 */
public final class StartupSteps {
    /** USER_HZ: 100 on every Linux architecture Baton runs on. */
    private static final long CLOCK_TICKS = 100;
    private static final List<String> names = new ArrayList<>();
    private static final List<Long> millis = new ArrayList<>();
    private static long last;
    private static boolean verbose;
    /** In a woken standby, how many steps came before its wake-up (they were not waited for), else 0. */
    private static int beforeWake;

    private StartupSteps() {
    }

    /** The first mark: the JVM is up and running main, this long after the exec (10 ms resolution, from /proc). */
    public static synchronized void jvmStarted() {
        last = System.nanoTime();
        names.add("jvm");
        millis.add(sinceExec());
    }

    /**
     * Both ends from the same clock, time since boot: ProcessHandle's start instant adds the boot
     * time, which /proc gives in whole seconds, and was up to a second off here.
     */
    private static long sinceExec() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Field 22, counted after the command name, which may itself hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(fields[19]);
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return Math.max(0, Math.round(uptime * 1000) - startTicks * 1000 / CLOCK_TICKS);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    public static synchronized void verbose(boolean on) {
        verbose = on;
    }

    /** The step just finished, timed from the previous mark. */
    public static synchronized void mark(String step) {
        if (names.isEmpty() || names.contains(step)) {
            return;
        }
        long now = System.nanoTime();
        names.add(step);
        millis.add(TimeUnit.NANOSECONDS.toMillis(now - last));
        last = now;
    }

    /** All the steps so far, in milliseconds. */
    static synchronized long millisSoFar() {
        return millis.stream().mapToLong(Long::longValue).sum();
    }

    /** A standby was woken: the time it waited is a step, and what a deploy waits for starts now. */
    static synchronized void woken() {
        mark("parked as standby");
        beforeWake = names.size();
    }

    /** Marks the first spawn, the last step, and logs the steps once if asked to. */
    static synchronized void firstSpawn(String subject) {
        boolean first = !names.isEmpty() && !names.contains("spawn");
        mark("spawn");
        if (first && verbose) {
            Log.line(subject, "start-up, exec to first worker spawned: " + text());
        }
    }

    static synchronized String text() {
        StringBuilder out = new StringBuilder();
        long total = 0;
        for (int i = 0; i < names.size(); i++) {
            out.append(i == 0 ? "" : ", ").append(names.get(i)).append(' ').append(millis.get(i)).append(" ms");
            total += i >= beforeWake ? millis.get(i) : 0;
        }
        return out.append(" (").append(total).append(beforeWake > 0 ? " ms from wake-up)" : " ms in all)").toString();
    }

    /** {@code {"jvm":310,"settings":12,...}} */
    static synchronized String json() {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < names.size(); i++) {
            out.append(i == 0 ? "" : ",").append(Status.quote(names.get(i))).append(':').append(millis.get(i));
        }
        return out.append('}').toString();
    }
}
