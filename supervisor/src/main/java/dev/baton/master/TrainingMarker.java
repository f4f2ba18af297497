package dev.baton.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Says, across masters, that an archive is being trained: {@code <key>.training} beside it holds
 * the training master's pid and start time.
 *
 * <p>Why: a worker writes the archive it trains when it exits, and in an upgrade that is after the
 * next generation has started. Without this, every master after a training one found no archive
 * and trained again; each such worker started slower and, at its own exit (the next upgrade), spent
 * a second or more of CPU writing an archive that was already there: on JDK 25 two JVMs' worth,
 * while the old master it belongs to, and so the next upgrade, waited for it.
 *
 * <p>A marker whose master is gone (killed before it could remove it), or whose pid now belongs to
 * another process, counts for nothing: the next master trains. A master removes its own marker
 * when its trainer exits, whatever became of the archive.
 */
record TrainingMarker(long pid, long startedMillis) {
    private static final String SUFFIX = ".training";

    /** The marker this process writes. */
    static TrainingMarker ofThisMaster() {
        return of(ProcessHandle.current()).orElseThrow(() -> new IllegalStateException("no start time for this process"));
    }

    /** The marker a live process would write, or empty if it is gone. */
    static Optional<TrainingMarker> of(ProcessHandle process) {
        return process.info().startInstant().map(started -> new TrainingMarker(process.pid(), started.toEpochMilli()));
    }

    /** Where the marker for {@code archive} lives. */
    static Path beside(Path archive) {
        String name = archive.getFileName().toString();
        return archive.resolveSibling(name.substring(0, name.lastIndexOf('.')) + SUFFIX);
    }

    static boolean isMarker(Path file) {
        return file.getFileName().toString().endsWith(SUFFIX);
    }

    /**
     * Who else is training {@code archive} right now: another master that is still running, as
     * the log should name it; empty if nobody, this master, or a master that is gone.
     */
    Optional<String> otherTrainer(Path archive) throws IOException {
        return held(beside(archive)).filter(holder -> !holder.equals(this)).map(holder -> "master pid " + holder.pid);
    }

    /** Marks {@code archive} as trained by this master; replaces a marker whose master is gone. */
    void claim(Path archive) throws IOException {
        Path marker = beside(archive);
        Path written = marker.resolveSibling(marker.getFileName() + "." + pid + ".tmp");
        Files.writeString(written, pid + " " + startedMillis + "\n", StandardCharsets.US_ASCII);
        // Whole or absent: another master reading it mid-write would take a torn marker for a stale one.
        Files.move(written, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes this master's marker for {@code archive}; one another master wrote since stays. */
    void release(Path archive) throws IOException {
        Path marker = beside(archive);
        if (held(marker).filter(this::equals).isPresent()) {
            Files.deleteIfExists(marker);
        }
    }

    /** Whether {@code marker} names no running master any more. */
    static boolean stale(Path marker) throws IOException {
        return held(marker).isEmpty();
    }

    /** The live master a marker file names, if the file exists and its master is still the same process. */
    private static Optional<TrainingMarker> held(Path marker) throws IOException {
        String text;
        try {
            text = Files.readString(marker, StandardCharsets.US_ASCII).strip();
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
        String[] words = text.split(" ");
        long pid;
        long started;
        try {
            pid = Long.parseLong(words[0]);
            started = Long.parseLong(words[1]);
        } catch (RuntimeException e) {
            return Optional.empty(); // not one of ours: nobody to wait for
        }
        return ProcessHandle.of(pid).flatMap(TrainingMarker::of).filter(live -> live.startedMillis == started);
    }
}
