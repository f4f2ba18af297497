package dev.baton.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How this master was started, so USR2 can start the next one the same way: the same command
 * line, in the same directory as the user named it. The JVM only knows its directory with
 * symlinks resolved; {@code $PWD} keeps the {@code current} symlink a deploy swaps, so the new
 * master runs the new release (Unicorn does the same).
 */
public record StartContext(List<String> argv, String directory) {

    public StartContext {
        argv = List.copyOf(argv);
    }

    public static StartContext of(List<String> argv) {
        Path actual = Path.of("").toAbsolutePath();
        String pwd = System.getenv("PWD");
        if (pwd != null) {
            try {
                if (Files.isSameFile(Path.of(pwd), actual)) {
                    return new StartContext(argv, pwd);
                }
            } catch (IOException | RuntimeException ignored) {
                // A stale or bogus $PWD: fall back to the resolved directory.
            }
        }
        return new StartContext(argv, actual.toString());
    }
}
