package dev.baton.master;

import dev.baton.posix.Posix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.OptionalInt;

/**
 * A pid file, Unicorn-compatible: {@code <path>} names the serving master; during an upgrade the
 * old master moves to {@code <path>.oldbin}. Writes are atomic, so a reader never sees half a pid.
 */
public final class PidFile {
    private PidFile() {
    }

    public static Path oldbin(Path path) {
        return path.resolveSibling(path.getFileName() + ".oldbin");
    }

    /** The pid in the file, if it holds one. */
    public static OptionalInt read(Path path) {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).trim();
            return OptionalInt.of(Integer.parseInt(text));
        } catch (NoSuchFileException | NumberFormatException e) {
            return OptionalInt.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pid in the file if it names a running Baton master, not a stale or reused pid. */
    public static OptionalInt liveMaster(Path path) {
        OptionalInt pid = read(path);
        if (pid.isEmpty() || !Posix.exists(pid.getAsInt())) {
            return OptionalInt.empty();
        }
        try {
            String cmdline = Files.readString(Path.of("/proc/" + pid.getAsInt() + "/cmdline"), StandardCharsets.UTF_8);
            return cmdline.contains("dev.baton.cli.Main") ? pid : OptionalInt.empty();
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    public static void write(Path path, int pid) {
        Path temporary = path.resolveSibling("." + path.getFileName() + "." + pid + ".tmp");
        try {
            Files.writeString(temporary, pid + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // Nothing more to do about it.
            }
            // A user's problem (a directory, a read-only place): one line, no stack trace.
            throw new IllegalArgumentException("cannot write pid file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Moves {@code from} to {@code to} if {@code from} still names {@code pid}. */
    public static boolean move(Path from, Path to, int pid) {
        if (read(from).orElse(-1) != pid) {
            return false;
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes the file if it still names {@code pid}: a newer master's file is not ours to remove. */
    public static void removeIfOwned(Path path, int pid) {
        if (read(path).orElse(-1) == pid) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                Log.line("master", "cannot remove pid file " + path + ": " + e.getMessage());
            }
        }
    }
}
