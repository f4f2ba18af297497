package dev.baton.master;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Class-data sharing archives (JDK 17-24) and AOT caches (JDK 25+) for worker JVMs, trained by one
 * generation's workers and used by the next ones (a HotSpot {@code java} starts about a quarter
 * faster with one). The flags go on the command line of any worker command that runs
 * {@code java} itself (after {@code env NAME=value ...} or not), right after {@code java}.
 *
 * <p>An archive is named by a hash of everything it depends on: the JVM (its binary, release file
 * and libjvm), the worker's command line and the size and time of every jar it names. Anything
 * else is a new name, so a stale archive is never offered; HotSpot's own check stays the backstop,
 * with its warning silenced (a mismatch then only means a start without the archive).
 *
 * <p>A build is trained from its second start on, never at its first. A training start is slower
 * (20-30 ms on JDK 17, 60-70 ms on JDK 25, which also spends a second of CPU assembling the cache
 * at exit), and most deploys ship a new jar whose archive no later start would use: the master
 * that starts a build first only leaves a marker ({@code <key>.seen}), and a master that finds
 * one trains.
 *
 * <p>A worker without an archive trains one: {@code -XX:ArchiveClassesAtExit} (or
 * {@code -XX:AOTCacheOutput}, which assembles the cache in a child JVM at exit) writes it to a file
 * of its own when it exits normally (after its drain), and the master renames it into place only
 * after a clean exit. A half-written archive (killed, disk full) is therefore never under the real
 * name: JDK 17 dies of SIGBUS mapping a truncated archive. The same scheme serves every JDK (19+
 * could create archives itself with -XX:+AutoCreateSharedArchive, but writes them in place). One
 * worker per archive trains at a time, across masters too ({@link TrainingMarker}: the generation
 * after a training one starts without the archive rather than train it again); the others start
 * as they would without Baton. Nothing here
 * is ever fatal: any problem is one log line and a worker started without an archive.
 */
final class JvmCache {
    /** Below this much free space, no worker trains: an archive is 7-30 MB, and the disk is the application's. */
    private static final long MIN_FREE_BYTES = 128L << 20;
    /** A mismatched or unreadable archive then means a start without it, and nothing in the log. */
    private static final List<String> SILENT = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    /** The first JDK with the AOT cache (JEP 483, 514): about 15% faster than a CDS archive for hello here. */
    private static final int AOT_CACHE = 25;
    /** Markers of builds started once, kept for the newest this many: a marker is an empty file. */
    private static final int MARKERS_KEPT = 32;
    /** How a key looks in a file name: 12 bytes of SHA-256, in hex. */
    private static final String KEY_IN_NAME = "[0-9a-f]{24}";
    private static final List<String> JVM_VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "CLASSPATH");

    /**
     * What one worker does with the cache, as the log and {@code status} say it; {@code javaAt}
     * is where its command names {@code java}.
     */
    record Use(Kind kind, Path archive, Path training, String detail, boolean aot, int javaAt) {
        enum Kind { USING, TRAINING, NONE }

        static Use none(String why) {
            return new Use(Kind.NONE, null, null, why, false, -1);
        }

        /**
         * {@code command} with the cache's flags right after {@code java}: before the command's
         * own options, which win. On the command line rather than in JDK_JAVA_OPTIONS, which the
         * launcher announces with a NOTE line in the log at every start, and which any java the
         * application itself runs would inherit, training flags included.
         */
        List<String> apply(List<String> command) {
            List<String> flags = switch (kind) {
                case USING -> List.of((aot ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive);
                case TRAINING -> List.of((aot ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + training);
                case NONE -> List.of();
            };
            if (flags.isEmpty()) {
                return command;
            }
            List<String> applied = new ArrayList<>(command.subList(0, javaAt + 1));
            applied.addAll(flags);
            applied.addAll(SILENT);
            if (aot) {
                applied.add("-Xlog:aot=off");
            }
            applied.addAll(command.subList(javaAt + 1, command.size()));
            return applied;
        }

        String describe() {
            return switch (kind) {
                case USING -> "using " + archive;
                case TRAINING -> "training " + archive + " (written when it exits cleanly)";
                case NONE -> "none (" + detail + ")";
            };
        }
    }

    private final Path dir;
    private final Set<Path> training = new HashSet<>();
    /** What this master writes beside an archive it trains; worked out at its first training. */
    private TrainingMarker marker;
    /** Builds this master saw first: none of its workers trains for them, the next master's do. */
    private final Set<String> firstSeen = new HashSet<>();
    private String lastProblem;
    /** The last identity worked out, the turn it was for and what it was worked out from. */
    private Identity recent;
    private long recentTurn;
    private List<Object> recentInputs;

    /** {@code dir} null: off. */
    JvmCache(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /**
     * Chooses this worker's use of the cache, for a worker started with {@code environment};
     * {@link Use#apply} gives its command with the flags. The spawns of one loop {@code turn}
     * (its time) read the files once: a generation's workers start together.
     */
    Use prepare(List<String> command, Map<String, String> environment, long turn) {
        if (dir == null) {
            return Use.none("--jvm-cache off");
        }
        try {
            return choose(identity(command, environment, turn));
        } catch (IOException | RuntimeException e) {
            return Use.none(problem("cannot use " + dir + ": " + reason(e)));
        }
    }

    private Identity identity(List<String> command, Map<String, String> environment, long turn) throws IOException {
        List<Object> inputs = new ArrayList<>(List.of(command, environment.getOrDefault("PATH", "")));
        JVM_VARIABLES.forEach(variable -> inputs.add(environment.getOrDefault(variable, "")));
        if (recent == null || recentTurn != turn || !recentInputs.equals(inputs)) {
            recent = identify(command, environment);
            recentTurn = turn;
            recentInputs = inputs;
        }
        return recent;
    }

    private Use choose(Identity identity) throws IOException {
        if (identity.unusable() != null) {
            return Use.none(identity.unusable());
        }
        String key = identity.key();
        boolean aot = identity.aot();
        int start = identity.javaAt();
        Path archive = dir.resolve(key + (aot ? ".aot" : ".jsa"));
        if (Files.isRegularFile(archive)) {
            return new Use(Use.Kind.USING, archive, null, key, aot, start);
        }
        if (training.contains(archive)) {
            return Use.none("another worker is training " + archive);
        }
        Optional<String> trainer = marker().otherTrainer(archive);
        if (trainer.isPresent()) {
            return Use.none("a worker of " + trainer.get() + " is training " + archive);
        }
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) {
            return Use.none(problem(dir + " is not writable"));
        }
        Path seen = dir.resolve(key + ".seen");
        if (firstSeen.contains(key) || !Files.exists(seen)) {
            if (firstSeen.add(key)) {
                Files.write(seen, new byte[0]);
                forgetOldMarkers();
            }
            return Use.none("the first start of this build: its next master trains one");
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < MIN_FREE_BYTES) {
            return Use.none(problem("only " + (free >> 20) + " MiB free in " + dir));
        }
        Path temporary = dir.resolve(key + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        marker().claim(archive);
        training.add(archive);
        lastProblem = null;
        return new Use(Use.Kind.TRAINING, archive, temporary, key, aot, start);
    }

    private TrainingMarker marker() {
        if (marker == null) {
            marker = TrainingMarker.ofThisMaster();
        }
        return marker;
    }

    /** Which archive fits a command: {@code key} names it; or, in {@code unusable}, why none can. */
    private record Identity(String key, boolean aot, int javaAt, String unusable) {
        static Identity none(String why) {
            return new Identity(null, false, 0, why);
        }
    }

    /** Reads the files the archive depends on, and nothing else: the same files give the same key. */
    private static Identity identify(List<String> command, Map<String, String> environment) throws IOException {
        int start = 0;
        List<String> assignments = new ArrayList<>();
        if (Path.of(command.get(0)).getFileName().toString().equals("env")) {
            for (start = 1; start < command.size() && command.get(start).matches("[A-Za-z_][A-Za-z0-9_]*=.*"); start++) {
                assignments.add(command.get(start));
            }
        }
        if (start >= command.size() || !Path.of(command.get(start)).getFileName().toString().equals("java")) {
            return Identity.none("the worker command does not run 'java' directly");
        }
        Path java = resolve(command.get(start), environment.getOrDefault("PATH", "/usr/bin:/bin"));
        if (java == null) {
            return Identity.none("'" + command.get(start) + "' not found");
        }
        Path home = java.getParent().getParent();
        Path release = home.resolve("release");
        int major = Files.isRegularFile(release) ? major(Files.readString(release)) : 0;
        if (major < 17) {
            return Identity.none(java + " is not JDK 17 or later");
        }
        MessageDigest digest = sha256();
        add(digest, java.toString());
        add(digest, Files.readString(release));
        stamp(digest, home.resolve("lib/server/libjvm.so"));
        for (String variable : JVM_VARIABLES) {
            add(digest, variable + "=" + environment.getOrDefault(variable, ""));
        }
        for (String assignment : assignments) {
            // HELLO_VERSION=2 must not make a new archive; what the JVM reads must.
            if (JVM_VARIABLES.stream().anyMatch(v -> assignment.startsWith(v + "="))) {
                add(digest, assignment);
            }
        }
        for (String word : command.subList(start + 1, command.size())) {
            add(digest, word);
            for (String piece : word.split(File.pathSeparator)) {
                files(piece).forEach(file -> stamp(digest, file));
            }
        }
        return new Identity(HexFormat.of().formatHex(digest.digest(), 0, 12), major >= AOT_CACHE, start, null);
    }

    /**
     * A worker has exited: a clean exit ({@code clean}: status 0, after it had served) puts the
     * archive it trained in place (atomically: a worker starting now maps the old file or the
     * new, never half of one); anything else discards it.
     */
    void exited(Use use, boolean clean, String who) {
        if (use == null || use.kind() != Use.Kind.TRAINING) {
            return;
        }
        training.remove(use.archive());
        try {
            if (!clean || !Files.isRegularFile(use.training()) || Files.size(use.training()) == 0) {
                Log.line(who, "JVM cache: no archive " + (clean ? "was written" : "kept: the worker did not exit cleanly after serving"));
                return;
            }
            Files.move(use.training(), use.archive(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Log.line(who, "JVM cache: wrote " + use.archive() + " (" + (Files.size(use.archive()) >> 10) + " KiB)");
            removeStale(use.archive());
        } catch (IOException | RuntimeException e) {
            Log.line(who, "JVM cache: cannot keep " + use.archive() + ": " + reason(e));
        } finally {
            try {
                Files.deleteIfExists(use.training());
                // The AOT cache's training run records its configuration here, and a killed one leaves it.
                Files.deleteIfExists(Path.of(use.training() + ".config"));
                marker().release(use.archive());
            } catch (IOException e) {
                // Already reported, or the directory went away.
            }
        }
    }

    /** Archives for another JVM or another build of the application would only fill the disk. */
    private void removeStale(Path current) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!file.equals(current) && name.matches(KEY_IN_NAME + "\\.(jsa|aot)") && !training.contains(file)) {
                    Files.deleteIfExists(file);
                } else if (TrainingMarker.isMarker(file) && TrainingMarker.stale(file)) {
                    Files.deleteIfExists(file); // its master was killed before it could remove it
                }
            }
        }
    }

    private void forgetOldMarkers() throws IOException {
        List<Path> markers;
        try (Stream<Path> files = Files.list(dir)) {
            markers = new ArrayList<>(files.filter(file -> file.getFileName().toString().matches(KEY_IN_NAME + "\\.seen")).toList());
        }
        if (markers.size() <= MARKERS_KEPT) {
            return;
        }
        Map<Path, Long> modified = new HashMap<>();
        for (Path marker : markers) {
            modified.put(marker, Files.getLastModifiedTime(marker).toMillis());
        }
        markers.sort(Comparator.comparing(modified::get));
        for (Path marker : markers.subList(0, markers.size() - MARKERS_KEPT)) {
            Files.deleteIfExists(marker);
        }
    }

    /** A problem with the directory is logged once, not at every spawn. */
    private String problem(String text) {
        if (!text.equals(lastProblem)) {
            Log.line("JVM cache", text + ": workers start without an archive");
            lastProblem = text;
        }
        return text;
    }

    private static String reason(Exception e) {
        return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getFile() + ": " + f.getReason()
                : e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    private static Path resolve(String program, String path) throws IOException {
        if (program.contains("/")) {
            Path file = Path.of(program);
            return Files.isExecutable(file) ? file.toRealPath() : null;
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toRealPath();
            }
        }
        return null;
    }

    static int major(String release) {
        for (String line : release.split("\n")) {
            if (line.startsWith("JAVA_VERSION=")) {
                String version = line.substring("JAVA_VERSION=".length()).replace("\"", "").strip();
                String first = version.split("[.+-]")[0];
                try {
                    return Integer.parseInt(first.equals("1") ? version.split("\\.")[1] : first);
                } catch (RuntimeException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** The files a word of the command names: a jar, a class path entry, lib/*, and the jars in a jar's manifest. */
    private static List<Path> files(String piece) {
        List<Path> found = new ArrayList<>();
        if (piece.endsWith("/*")) {
            try (Stream<Path> jars = Files.list(Path.of(piece.substring(0, piece.length() - 2)))) {
                jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(found::add);
            } catch (IOException | RuntimeException e) {
                // Not a directory: nothing to stamp.
            }
            return found;
        }
        Path file;
        try {
            file = Path.of(piece);
        } catch (RuntimeException e) {
            return found;
        }
        if (!piece.isEmpty() && Files.isRegularFile(file)) {
            found.add(file);
            if (piece.endsWith(".jar")) {
                try (JarFile jar = new JarFile(file.toFile())) {
                    Manifest manifest = jar.getManifest();
                    String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                    if (classPath != null) {
                        for (String entry : classPath.trim().split("\\s+")) {
                            Path dependency = file.toAbsolutePath().getParent().resolve(entry);
                            if (Files.isRegularFile(dependency)) {
                                found.add(dependency);
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // Not a jar after all: its size and time are stamped all the same.
                }
            }
        }
        return found;
    }

    private static void stamp(MessageDigest digest, Path file) {
        try {
            add(digest, file.toAbsolutePath() + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            add(digest, file + " missing");
        }
    }

    private static void add(MessageDigest digest, String text) {
        digest.update(text.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }

    /** Runs, in a parked standby, what its first spawn will run, so that it is not run cold. */
    static void warmUp(List<String> command) {
        try {
            identify(command, System.getenv());
        } catch (IOException | RuntimeException e) {
            // Reported, if it still happens, at the spawn.
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
