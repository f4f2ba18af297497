package dev.baton.tests;

import dev.baton.testing.Poll;
import dev.baton.testing.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds processes through /proc. Every process a test starts carries a tag in its environment,
 * inherited by the master, its workers and new masters alike, even once orphaned: that is how
 * cleanup finds every one of them, and how a test proves none is left.
 */
final class Processes {
    static final String TAG = "BATON_TEST_TAG";
    /** What a master's command line holds: {@code bin/baton start}'s class and verb. */
    private static final String MASTER = "dev.baton.cli.Main\0start\0";

    private Processes() {
    }

    static List<Integer> tagged(String tag) {
        byte[] marker = (TAG + "=" + tag + "\0").getBytes(StandardCharsets.UTF_8);
        List<Integer> found = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                int pid = Integer.parseInt(dir.getFileName().toString());
                if (pid == ProcessHandle.current().pid()) {
                    continue;
                }
                try {
                    byte[] environ = Files.readAllBytes(dir.resolve("environ"));
                    if (contains(environ, marker)) {
                        found.add(pid);
                    }
                } catch (IOException gone) {
                    // Exited while we looked.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    static void killAll(String tag) {
        for (int round = 0; round < 50; round++) {
            List<Integer> pids = tagged(tag);
            if (pids.isEmpty()) {
                return;
            }
            pids.forEach(pid -> signal(pid, "KILL"));
            Poll.pause(20);
        }
    }

    static boolean alive(int pid) {
        String state = state(pid);
        return state != null && !state.equals("Z");
    }

    /** The process's state letter (R, S, Z...), or null if it does not exist. */
    static String state(int pid) {
        return ProcStat.of(pid).map(ProcStat::state).orElse(null);
    }

    static int parent(int pid) {
        return ProcStat.of(pid).map(ProcStat::parent).orElse(-1);
    }

    /**
     * A process's children, but for a master's one-off class-data dump (MasterArchive), which runs
     * beside the workers for a second or two of whichever test's master trains the archive first.
     */
    static List<Integer> children(int pid) {
        List<Integer> children = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                int candidate = Integer.parseInt(dir.getFileName().toString());
                if (parent(candidate) == pid && alive(candidate) && !commandLine(candidate).contains("-Xshare:dump")) {
                    children.add(candidate);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return children;
    }

    /**
     * Whether {@code pid} is a Baton master. A child the master has just forked carries the
     * master's command line until it execs, with one thread where a JVM has a dozen.
     */
    static boolean isMaster(int pid) {
        if (!commandLine(pid).contains(MASTER)) {
            return false;
        }
        return ProcStat.of(pid).map(ProcStat::threads).orElse(0) > 1;
    }

    /**
     * A master's worker processes: its children but for a new master it started on USR2, through
     * bin/baton (a bash process until it execs java) or already a JVM, its first thread alone or
     * not. A child forked a moment ago carries its master's command line until it execs, and is
     * left out too: a worker is counted from its exec on, which is when it starts costing anything.
     */
    static List<Integer> workers(int master) {
        return children(master).stream().filter(child -> {
            String commandLine = commandLine(child);
            return !commandLine.contains(MASTER) && !commandLine.contains(Sandbox.LAUNCHER.toString());
        }).toList();
    }

    /**
     * The process's argv, NUL-separated as in /proc; empty if it does not exist or is a zombie.
     * Read again while it is empty for a live process: Linux shows none while an exec is replacing
     * the process's memory, which a tight sampling loop does catch (a new master in the middle of
     * its exec of bin/baton was once counted as a worker). Bounded: a second.
     */
    static String commandLine(int pid) {
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        String commandLine = readCommandLine(pid);
        while (commandLine.isEmpty() && alive(pid) && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            commandLine = readCommandLine(pid);
        }
        return commandLine;
    }

    private static String readCommandLine(int pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static List<Integer> zombies() {
        List<Integer> zombies = new ArrayList<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                int pid = Integer.parseInt(dir.getFileName().toString());
                if ("Z".equals(state(pid))) {
                    zombies.add(pid);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return zombies;
    }

    static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void awaitGone(int pid, Duration within) {
        Poll.until("pid " + pid + " gone", within, () -> !alive(pid));
    }

    /** The targets of a process's fds: fd number to "socket:[123]", "pipe:[456]", a path... */
    static java.util.Map<Integer, String> fds(int pid) {
        java.util.Map<Integer, String> fds = new java.util.TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : dir) {
                try {
                    fds.put(Integer.parseInt(fd.getFileName().toString()), Files.readSymbolicLink(fd).toString());
                } catch (IOException closed) {
                    // Closed while we looked.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list fds of " + pid, e);
        }
        return fds;
    }

    /** Inodes of the TCP sockets in LISTEN state, with their ports, from /proc/net/tcp and tcp6. */
    static java.util.Map<String, Integer> listeningSockets() {
        java.util.Map<String, Integer> sockets = new java.util.HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String[] f : Sockets.rows(table)) {
                if (f[3].equals("0A")) {
                    sockets.put("socket:[" + f[9] + "]", Sockets.port(f[1]));
                }
            }
        }
        return sockets;
    }

    static Set<Integer> listeningPorts(int pid) {
        java.util.Map<String, Integer> listening = listeningSockets();
        Set<Integer> ports = new HashSet<>();
        for (String target : fds(pid).values()) {
            if (listening.containsKey(target)) {
                ports.add(listening.get(target));
            }
        }
        return ports;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
