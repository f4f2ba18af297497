package dev.baton.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's run state as the kernel reports it in {@code /proc/<pid>/stat}. */
public enum ProcessState {
    RUNNING, STOPPED, ZOMBIE, GONE;

    public static ProcessState of(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return GONE;
        }
        // The command name in parentheses may itself hold spaces or parentheses: the state follows the last ')'.
        return switch (stat.charAt(stat.lastIndexOf(')') + 2)) {
            case 'T', 't' -> STOPPED;
            case 'Z', 'X' -> ZOMBIE;
            default -> RUNNING;
        };
    }

    /** Gone, or dead and only waiting for its parent to reap it. */
    public boolean ended() {
        return this == ZOMBIE || this == GONE;
    }
}
