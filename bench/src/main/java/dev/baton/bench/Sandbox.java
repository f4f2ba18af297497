package dev.baton.bench;

import dev.baton.testing.Poll;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * A run's working directory, and a tag in the environment of every process the run starts. Baton
 * masters, their workers and their successors all inherit it, even once orphaned; so closing the
 * sandbox finds and kills every one of them through /proc, whatever went wrong; and a bench
 * stopped by Ctrl-C or SIGTERM closes every sandbox still open on its way out. A process that
 * rewrites its environment loses the tag (nginx does, for its process titles): closing also kills
 * every process {@link #start} started and their descendants.
 */
final class Sandbox implements AutoCloseable {
    static final String TAG = "BATON_BENCH_TAG";
    private static final Set<Sandbox> OPEN = ConcurrentHashMap.newKeySet();
    private final List<ProcessHandle> started = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Sandbox::close), "close-sandboxes"));
    }

    private final String tag = UUID.randomUUID().toString();
    private final Path dir;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private boolean keep;

    Sandbox() throws IOException {
        dir = Files.createTempDirectory("baton-bench-");
        OPEN.add(this);
    }

    Path dir() {
        return dir;
    }

    /** The JVM running the benchmark: every server, worker and client runs on this same JDK. */
    String java() {
        return java.toString();
    }

    /** This JVM's class path, absolute: helper processes run in the sandbox directory. */
    /**
     * The command of one of the bench's own load processes, {@code Main verb args...}
     * ({@code load}, {@code rounds}, {@code warm}): this sandbox's java with room for 16 clients.
     */
    List<String> loadCommand(String verb, String... args) {
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-cp", classPath(), Main.class.getName(), verb));
        command.addAll(List.of(args));
        return command;
    }

    static String classPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Starts {@code command} tagged, in the sandbox, its stdout and stderr appended to {@code log}. */
    Process start(List<String> command, Map<String, String> environment, Path log) throws IOException {
        Process process = builder(command, environment)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        started.add(process.toHandle());
        return process;
    }

    /** A tagged builder, for a caller that wants the process's stdin and stdout. */
    ProcessBuilder builder(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("JAVA_HOME", java.getParent().getParent().toString());
        builder.environment().put("PWD", dir.toString());
        builder.environment().put(TAG, tag);
        return builder;
    }

    /** Leaves the directory (with its logs) in place when closed, for a run that went wrong. */
    void keep() {
        keep = true;
    }

    /** Every live process carrying this sandbox's tag, or started by {@link #start}, or descended from one it started. */
    List<Long> survivors() {
        byte[] marker = (TAG + "=" + tag).getBytes(StandardCharsets.UTF_8);
        Set<Long> found = new LinkedHashSet<>();
        // The handle, not the pid: it knows its start time, so a pid reused since is nobody's to kill.
        started.stream().filter(ProcessHandle::isAlive).flatMap(process -> Stream.concat(Stream.of(process), process.descendants()))
                .map(ProcessHandle::pid).filter(Pids::alive).forEach(found::add);
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : proc) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid != ProcessHandle.current().pid() && Pids.alive(pid) && tagged(process, marker)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(found);
    }

    private static boolean tagged(Path process, byte[] marker) {
        try {
            byte[] environ = Files.readAllBytes(process.resolve("environ"));
            return indexOf(environ, marker) >= 0;
        } catch (IOException gone) {
            return false; // exited while we looked, or not ours to read
        }
    }

    /** Where a whole NUL-terminated {@code marker} entry starts in {@code environ}, or -1. */
    private static int indexOf(byte[] environ, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= environ.length; i++) {
            if (i > 0 && environ[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < marker.length; j++) {
                if (environ[i + j] != marker[j]) {
                    continue outer;
                }
            }
            if (i + marker.length == environ.length || environ[i + marker.length] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Kills every tagged process (SIGKILL, until none is left), then removes the directory. */
    @Override
    public void close() {
        for (int round = 0; round < 100; round++) {
            List<Long> pids = survivors();
            if (pids.isEmpty()) {
                break;
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            Poll.pause(20);
        }
        OPEN.remove(this);
        if (keep) {
            System.err.println("baton-bench: logs kept in " + dir);
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("baton-bench: cannot remove " + dir + ": " + e.getMessage());
        }
    }
}
