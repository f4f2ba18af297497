package dev.baton.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One {@code /proc/<pid>/stat} (or {@code /proc/<pid>/task/<tid>/stat}) line: the command name,
 * which may itself hold spaces and parentheses and so ends at the last ')', and the fields after
 * it. Field numbers are proc(5)'s.
 */
public record ProcStat(String name, List<String> fields) {

    /** The process's line; empty if it does not exist (any more). */
    public static Optional<ProcStat> of(long pid) {
        return of(Path.of("/proc/" + pid + "/stat"));
    }

    /** The line in {@code file}; empty if it cannot be read (its process or thread is gone). */
    public static Optional<ProcStat> of(Path file) {
        try {
            return Optional.of(parse(Files.readString(file)));
        } catch (IOException gone) {
            return Optional.empty();
        }
    }

    public static ProcStat parse(String line) {
        int close = line.lastIndexOf(')');
        return new ProcStat(line.substring(line.indexOf('(') + 1, close), List.of(line.substring(close + 2).split(" ")));
    }

    /** Field 3: R, S, D, T, Z... */
    public String state() {
        return field(3);
    }

    /** A zombie its parent has yet to reap has exited all the same. */
    public boolean exited() {
        return state().equals("Z");
    }

    /** Field 4. */
    public int parent() {
        return Integer.parseInt(field(4));
    }

    /** User and system CPU time, fields 14 and 15, in clock ticks. */
    public long cpuTicks() {
        return Long.parseLong(field(14)) + Long.parseLong(field(15));
    }

    /** Field 20. */
    public int threads() {
        return Integer.parseInt(field(20));
    }

    private String field(int number) {
        return fields.get(number - 3);
    }
}
