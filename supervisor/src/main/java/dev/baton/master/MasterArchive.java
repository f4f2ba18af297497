package dev.baton.master;

import dev.baton.posix.Posix;
import dev.baton.signals.Signal;
import dev.baton.signals.SignalMask;
import dev.baton.spawn.ExitStatus;
import dev.baton.spawn.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The master's own class-data archive: this side of what {@code bin/baton} starts. The launcher
 * names the archive (by the JVM, the jars and the flags) and, when there is none yet, starts the
 * master listing every class it loads. Once the master's first generation is ready, that list
 * becomes the archive in a background {@code java -Xshare:dump} at low priority (a child of the
 * master like its workers, killed if the master exits first), written under a temporary name and
 * renamed into place, so a later master maps either all of it or none. Nothing here is ever fatal: a problem is one log line and masters that start as they would without it.
 */
final class MasterArchive {
    /** The archive {@code bin/baton} chose for this JVM, set whenever it has a cache directory. */
    static final String ARCHIVE = "BATON_MASTER_ARCHIVE";
    /** Where this JVM lists the classes it loads, set only when the archive is still missing. */
    static final String CLASS_LIST = "BATON_MASTER_CLASSLIST";
    /** Archives of earlier builds and JDKs kept beside the current one, for a rollback's master. */
    private static final int KEPT = 3;

    /** What the one look at this JVM's mappings found (reading them takes a standby's master milliseconds). */
    private static Path looked;
    private static boolean lookedMapped;

    private final Path archive;
    private final Path classList;
    private final boolean mapped;
    private int dumpPid;
    private Path temporary;
    private boolean written;

    private MasterArchive(Path archive, Path classList) {
        this.archive = archive;
        this.classList = classList;
        // HotSpot maps it at start or never: one look at this JVM's mappings says it for good.
        this.mapped = archive != null && mapped(archive);
    }

    static MasterArchive fromEnvironment() {
        String archive = System.getenv(ARCHIVE);
        String classList = System.getenv(CLASS_LIST);
        return new MasterArchive(archive == null || archive.isEmpty() ? null : Path.of(archive),
                classList == null || classList.isEmpty() ? null : Path.of(classList));
    }

    /**
     * This master's environment for a process it starts (a worker, a new master, the dump), but
     * for what the launcher decides afresh for each master JVM and what made this one a standby.
     */
    static Map<String, String> childEnvironment() {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove(ARCHIVE);
        environment.remove(CLASS_LIST);
        environment.remove(Standby.KEY);
        environment.remove(Standby.GO_FD);
        return environment;
    }

    /** For the log and {@code status}. */
    String describe() {
        if (archive == null) {
            return "off".equals(System.getenv("BATON_MASTER_CACHE")) ? "none (BATON_MASTER_CACHE=off)"
                    : "none (no cache directory: set BATON_MASTER_CACHE, or HOME)";
        }
        if (mapped) {
            return "using " + archive;
        }
        if (dumpPid > 0) {
            return "writing " + archive;
        }
        if (written) {
            return "wrote " + archive + " for the next master";
        }
        if (classList != null) {
            return "training " + archive + " (written once the workers are ready)";
        }
        if (Files.exists(archive)) {
            return "none (" + archive + " was not mapped by this JVM)";
        }
        return Files.isWritable(archive.getParent()) ? "none yet (another master is training " + archive + ")"
                : "none (" + archive.getParent() + " is not writable)";
    }

    /** Starts writing the archive if this master was asked to train one and none exists yet. */
    void train(String self) {
        if (classList == null || dumpPid > 0 || temporary != null || Files.exists(archive) || !Files.isRegularFile(classList)) {
            return;
        }
        removeLeftovers();
        temporary = Path.of(archive + "." + Posix.pid() + ".tmp");
        int output = -1;
        try {
            List<String> dump = new ArrayList<>(List.of("nice", "-n", "10"));
            dump.addAll(dumpCommand());
            // HotSpot's warnings about classes it leaves out go to a file, kept only if the dump fails.
            output = Posix.openForAppend(temporary + ".log");
            dumpPid = Spawn.command(dump).environment(childEnvironment()).fd(1, output).fd(2, output).start();
            Log.line(self, "class-data archive: writing " + archive + " in the background (pid " + dumpPid + ")");
        } catch (RuntimeException e) {
            Log.line(self, "class-data archive: cannot start writing " + archive + ": " + e.getMessage());
            cleanUp();
        } finally {
            if (output >= 0) {
                Posix.close(output);
            }
        }
    }

    /** Puts a finished archive in place; call on every turn of the loop. */
    void reap(String self) {
        if (dumpPid <= 0) {
            return;
        }
        int raw = Posix.waitNoHang(dumpPid);
        if (raw == Posix.STILL_RUNNING) {
            return;
        }
        dumpPid = 0;
        ExitStatus status = ExitStatus.of(raw);
        try {
            if (status.success() && Files.size(temporary) > 0) {
                Files.move(temporary, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                written = true;
                Files.deleteIfExists(Path.of(temporary + ".log"));
                Log.line(self, "class-data archive: wrote " + archive + " (" + (Files.size(archive) >> 10)
                        + " KiB); the next master maps it");
                removeStale();
            } else {
                Log.line(self, "class-data archive: not written (" + status + "); see " + temporary + ".log");
                Files.deleteIfExists(classList);
                Files.deleteIfExists(temporary);
                return;
            }
        } catch (IOException | RuntimeException e) {
            Log.line(self, "class-data archive: cannot keep " + archive + ": " + e.getMessage());
        }
        cleanUp();
    }

    /** The pid of the background dump while it runs, else 0: a child of this master, not an orphan. */
    int pid() {
        return dumpPid;
    }

    /** At the master's exit: a dump still running is stopped, never left behind. */
    void abandon() {
        if (dumpPid > 0) {
            Posix.kill(dumpPid, Signal.KILL.number());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (Posix.waitNoHang(dumpPid) == Posix.STILL_RUNNING && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            dumpPid = 0;
            cleanUp();
        }
    }

    private static synchronized boolean mapped(Path archive) {
        if (!archive.equals(looked)) {
            try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
                String name = archive.toString();
                lookedMapped = maps.anyMatch(line -> line.endsWith(name));
            } catch (IOException | RuntimeException e) {
                lookedMapped = false;
            }
            looked = archive;
        }
        return lookedMapped;
    }

    /** This JVM's own command line, turned into the dump of the classes it listed. */
    private List<String> dumpCommand() {
        List<String> argv = SignalMask.commandLine();
        int classPath = argv.indexOf("-cp");
        if (classPath < 0) {
            throw new IllegalStateException("this JVM was not started by bin/baton (no -cp)");
        }
        List<String> command = new ArrayList<>();
        command.add(argv.get(0));
        for (String flag : argv.subList(1, classPath)) {
            if (!flag.startsWith("-XX:DumpLoadedClassList=") && !flag.startsWith("-Xshare:")) {
                command.add(flag);
            }
        }
        command.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + temporary, "-cp", argv.get(classPath + 1)));
        return command;
    }

    private void cleanUp() {
        try {
            Files.deleteIfExists(classList);
            if (temporary != null) {
                Files.deleteIfExists(temporary);
                Files.deleteIfExists(Path.of(temporary + ".log"));
            }
        } catch (IOException e) {
            // The directory went away: nothing left to clean.
        }
    }

    /** What masters killed while training left behind: class lists and half-written archives of pids now gone. */
    private void removeLeftovers() {
        Pattern leftover = Pattern.compile("master-[0-9-]+\\.(?:jsa\\.)?(\\d+)\\.(?:classlist|tmp|tmp\\.log)");
        try (Stream<Path> files = Files.list(archive.getParent())) {
            for (Path file : files.toList()) {
                Matcher matcher = leftover.matcher(file.getFileName().toString());
                if (matcher.matches() && !Files.isDirectory(Path.of("/proc", matcher.group(1)))) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Only tidiness is lost.
        }
    }

    /** Keeps the newest few archives: one per build and JDK on this machine would only fill the disk. */
    private void removeStale() throws IOException {
        try (Stream<Path> files = Files.list(archive.getParent())) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().matches("master-[0-9-]+\\.jsa"))
                    .filter(f -> !f.equals(archive))
                    .sorted(Comparator.comparing(MasterArchive::modified).reversed())
                    .toList();
            for (Path stale : archives.subList(Math.min(KEPT, archives.size()), archives.size())) {
                Files.deleteIfExists(stale);
            }
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
