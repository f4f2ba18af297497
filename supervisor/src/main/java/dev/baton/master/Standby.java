package dev.baton.master;

import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import dev.baton.signals.Signal;
import dev.baton.signals.SignalMask;
import dev.baton.spawn.ExitStatus;
import dev.baton.spawn.Spawn;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The next master, started ahead of time: a USR2 wakes it instead of starting a JVM, which takes
 * the master's whole start-up (JVM, picocli, native binding: about 300 ms here) off every deploy's
 * critical path. Both ends of its handshake are here.
 *
 * <p>A serving master whose generation is ready starts one, exactly as an upgrade would (same
 * command line, directory, environment, listeners and report pipe), plus one more fd: the read
 * end of a pipe it parks on. It claims nothing and starts nothing (no pid file, no control
 * socket, no workers) until it reads {@code go}. Then it asks the launcher for the key of the
 * master it would start now ({@code BATON_PRINT_MASTER_KEY}), and reads the config file and
 * builds its master while the launcher answers. If Baton itself changed since the standby started
 * (new jars, JDK, script or flags), or a {@code current} symlink it was started in now names
 * another release, it says {@code stale} and exits, and the old master starts the new master
 * afresh, as without a standby. Otherwise it says {@code woken} and goes on as any new master.
 * End of file on the pipe (its master stops or is gone, even by SIGKILL) makes it exit.
 *
 * <p>At most one standby per master. One that dies before it is woken is replaced after a pause
 * that doubles with every death in a row, so a broken install costs a JVM start now and then,
 * never a loop of them.
 */
public final class Standby {
    /**
     * Runs, once, the code the first moments after the wake-up would otherwise run cold, in the
     * interpreter: the key check (a spawn), reading the settings, a log line's time stamp, the
     * workers' JVM cache key (their files, SHA-256) and the look at whether this JVM mapped its
     * archive (kept: it cannot change). The rest is thrown away; the settings are read again once
     * woken, since a deploy may change them meanwhile.
     */
    private static void warmUp(String launcher, Supplier<Settings> readSettings) {
        KeyCheck.start(launcher).await();
        try {
            JvmCache.warmUp(readSettings.get().command());
        } catch (RuntimeException e) {
            // Read again, and reported then, once it matters.
        }
        Instant.now().toString();
        MasterArchive.fromEnvironment();
    }

    /** The fd a standby parks on; set only in a standby's environment. */
    static final String GO_FD = "BATON_STANDBY_FD";
    /** The key {@code bin/baton} computes for the master it starts. */
    static final String KEY = "BATON_MASTER_KEY";
    private static final String PRINT_KEY = "BATON_PRINT_MASTER_KEY";
    private static final byte[] GO = "go\n".getBytes(StandardCharsets.US_ASCII);
    /** Said on the report pipe once parked: {@code parked <ms since exec>}. */
    static final String PARKED = "parked";
    /** Said on the report pipe once woken and current: from then on it owns the upgrade. */
    static final String WOKEN = "woken";
    /** Said instead, {@code stale <why>}, by one that is not the master a start now would give; it exits. */
    static final String STALE = "stale";
    /** After a generation is ready and alone: its workers warm up first, and the old ones drain. */
    private static final long DELAY = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_PAUSE = TimeUnit.MINUTES.toNanos(5);
    private static final long KEY_TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    private final String self;
    /** The standby's pid, or 0. */
    private int pid;
    /** The write end of the pipe it parks on. */
    private int goFd = -1;
    private boolean parked;
    /** Not before this may the next one start (0: not scheduled). */
    private long notBefore;
    private int deathsInARow;
    /** A standby killed, or woken too late, not reaped yet (at most one at a time, and briefly), or 0. */
    private int leftover;

    Standby(String self) {
        this.self = self;
    }

    /** Whether this master can have standbys: only a launcher that can name its key can check one. */
    static boolean supported() {
        String key = System.getenv(KEY);
        return key != null && !key.isEmpty() && System.getenv("BATON_LAUNCHER") != null;
    }

    int pid() {
        return pid;
    }

    /** For the log and {@code status}. */
    String state() {
        return pid == 0 ? "none" : parked ? "parked" : "starting";
    }

    /**
     * Dismisses the standby unless {@code keep}; starts one if {@code start} and none is there,
     * once {@code start} has held for a pause (and the pause since the last one died is over).
     * Call on every turn of the loop.
     */
    void upkeep(boolean keep, boolean start, long now, StartContext context, List<Listener> listeners, int master,
                int generation, Consumer<Event> events) {
        if (!keep) {
            notBefore = 0;
            if (pid != 0) {
                Log.line(self, "standby master (pid " + pid + ") dismissed");
                dismiss();
            }
            return;
        }
        if (pid != 0) {
            return;
        }
        if (!start) {
            notBefore = deathsInARow > 0 ? notBefore : 0;
            return;
        }
        if (notBefore == 0) {
            notBefore = now + DELAY;
        }
        if (now - notBefore < 0) {
            return;
        }
        int[] go = Posix.pipe();
        try {
            pid = Upgrade.spawn(context, listeners, master, generation, events, go[0]);
            goFd = go[1];
            go[1] = -1;
            parked = false;
            Log.line(self, "standby master (pid " + pid + ") starting for generation " + generation);
        } catch (RuntimeException e) {
            died(now, "cannot start a standby master: " + e.getMessage());
        } finally {
            Posix.close(go[0]);
            if (go[1] >= 0) {
                Posix.close(go[1]);
            }
        }
    }

    /** A line on its report pipe before it was woken. */
    void onLine(String line) {
        if (line.startsWith(PARKED) && !parked) {
            parked = true;
            deathsInARow = 0;
            Log.line(self, "standby master (pid " + pid + ") parked, " + line.substring(PARKED.length()).strip()
                    + " ms after its start");
        }
    }

    /**
     * Wakes it for an upgrade: from here on it is the new master, and no longer ours to manage.
     * Returns its pid, or 0 if there is none that can still take the word.
     */
    int wake() {
        if (pid == 0) {
            return 0;
        }
        int woken = pid;
        boolean told = Posix.write(goFd, GO);
        Posix.close(goFd);
        goFd = -1;
        pid = 0;
        notBefore = 0;
        if (!told) {
            // It died a moment ago: reaped as any dead standby, and the upgrade starts a master itself.
            reapLater(woken);
            return 0;
        }
        return woken;
    }

    /** Reaps a standby that died before it was woken, and schedules the next. Call on every turn. */
    void reap(long now) {
        reapLeftover();
        if (pid == 0) {
            return;
        }
        int raw = Posix.waitNoHang(pid);
        if (raw == Posix.STILL_RUNNING) {
            return;
        }
        Posix.close(goFd);
        goFd = -1;
        int dead = pid;
        pid = 0;
        died(now, "standby master (pid " + dead + ") " + ExitStatus.of(raw) + " before it was needed");
    }

    private void died(long now, String why) {
        long pause = Math.min(MAX_PAUSE, DELAY << Math.min(20, ++deathsInARow));
        notBefore = now + pause;
        Log.line(self, why + "; the next in " + TimeUnit.NANOSECONDS.toSeconds(pause) + " s");
    }

    /** Stops it: it has touched nothing, so SIGKILL loses nothing. */
    void dismiss() {
        if (pid == 0) {
            return;
        }
        Posix.close(goFd);
        goFd = -1;
        Posix.kill(pid, Signal.KILL.number());
        reapLater(pid);
        pid = 0;
    }

    private void reapLater(int child) {
        reapLeftover();
        leftover = child;
    }

    private void reapLeftover() {
        if (leftover != 0 && Posix.waitNoHang(leftover) != Posix.STILL_RUNNING) {
            leftover = 0;
        }
    }

    /** At the master's exit: none is left behind, not even a zombie. */
    void abandon() {
        dismiss();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (leftover != 0 && System.nanoTime() - deadline < 0) {
            reapLeftover();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    // ---- the standby's side ----

    /**
     * In a standby, after the JVM, native binding and inherited listeners are up: says so, waits for
     * {@code go}, and returns once woken, with the key check started; {@link Wakeup#confirm} gives
     * its verdict. Exits if its master goes away first. Elsewhere returns {@link Wakeup#NONE} at once.
     */
    public static Wakeup parkIfStandby(Inheritance inheritance, List<String> argv, Supplier<Settings> readSettings) {
        String fd = System.getenv(GO_FD);
        if (fd == null) {
            return Wakeup.NONE;
        }
        int go = Integer.parseInt(fd);
        warmUp(argv.get(0), readSettings);
        inheritance.report(PARKED + " " + StartupSteps.millisSoFar());
        byte[] word = new byte[GO.length];
        int n = Posix.read(go, word);
        Posix.close(go);
        if (n != GO.length) {
            System.exit(0);
        }
        SignalMask.dropPending();
        StartupSteps.woken();
        return new Wakeup(inheritance, argv, KeyCheck.start(argv.get(0)));
    }

    /**
     * A standby just woken. The launcher computes its key (a process of its own, 10 ms) while this
     * one reads the settings and builds its master; nothing it does before {@link #confirm} is
     * seen outside it, so a stale standby leaves no trace.
     */
    public static final class Wakeup {
        /** Not a standby: a master started afresh is current by definition. */
        public static final Wakeup NONE = new Wakeup(null, null, null);

        private final Inheritance inheritance;
        private final List<String> argv;
        private final KeyCheck check;
        private boolean confirmed;

        private Wakeup(Inheritance inheritance, List<String> argv, KeyCheck check) {
            this.inheritance = inheritance;
            this.argv = argv;
            this.check = check;
        }

        /**
         * Returns if this is the master a start now would give, and tells the old master it owns
         * the upgrade from here; otherwise says why not and exits, and the old master starts a new
         * master afresh, from its command line and directory.
         */
        public void confirm() {
            if (inheritance == null || confirmed) {
                return;
            }
            confirmed = true;
            String stale = staleness(argv, check.await());
            StartupSteps.mark("key check");
            if (stale != null) {
                inheritance.report(STALE + " " + stale);
                System.exit(0);
            }
            inheritance.report(WOKEN);
        }
    }

    /**
     * Why this standby is not the master a start now would give, or null: Baton changed since it
     * started (the launcher names another master), or its directory did (a {@code current}
     * symlink switched to another release: its relative paths, the config's included, would
     * still name the old one).
     */
    private static String staleness(List<String> argv, String current) {
        String key = System.getenv(KEY);
        if (key == null || !key.equals(current)) {
            return "Baton changed since it started (key " + key + ", now " + (current.isEmpty() ? "unknown" : current) + ")";
        }
        // StartContext keeps $PWD only while it still names this process's directory.
        String directory = System.getenv("PWD");
        String here = StartContext.of(argv).directory();
        return directory == null || directory.equals(here) ? null : directory + " is no longer " + here;
    }

    /** The fd a standby parks on, to keep open across a re-exec of its start-up; none elsewhere. */
    public static List<Integer> fds() {
        String fd = System.getenv(GO_FD);
        return fd == null ? List.of() : List.of(Integer.parseInt(fd));
    }

    /** The launcher asked for the key of the master it would start now ({@code BATON_PRINT_MASTER_KEY}). */
    private static final class KeyCheck {
        /** A launcher that could not be started: it says nothing, so the standby is stale. */
        private static final KeyCheck NOT_STARTED = new KeyCheck(-1, -1);

        private final int child;
        private final int out;

        private KeyCheck(int child, int out) {
            this.child = child;
            this.out = out;
        }

        /** Starts the launcher. */
        static KeyCheck start(String launcher) {
            int[] out = Posix.pipe();
            try {
                Map<String, String> environment = MasterArchive.childEnvironment();
                environment.put(PRINT_KEY, "1");
                int child = Spawn.command(List.of(launcher)).environment(environment).fd(1, out[1]).start();
                return new KeyCheck(child, out[0]);
            } catch (RuntimeException e) {
                Posix.close(out[0]);
                return NOT_STARTED;
            } finally {
                Posix.close(out[1]);
            }
        }

        /** What the launcher said; empty if it could not say. */
        String await() {
            if (this == NOT_STARTED) {
                return "";
            }
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] buffer = new byte[256];
            try {
                int n;
                while ((n = Posix.read(out, buffer)) > 0 && text.size() < 4096) {
                    text.write(buffer, 0, n);
                }
            } finally {
                Posix.close(out);
            }
            long deadline = System.nanoTime() + KEY_TIMEOUT;
            int raw;
            while ((raw = Posix.waitNoHang(child)) == Posix.STILL_RUNNING && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            return raw != Posix.STILL_RUNNING && ExitStatus.of(raw).success() ? text.toString(StandardCharsets.UTF_8).strip() : "";
        }
    }
}
