package dev.baton.spawn;

import dev.baton.posix.Posix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A child process to start: command, environment, exactly which fds it gets, where it runs.
 * Nothing else crosses over: not the JDK's open jars and sockets, not the master's blocked signal
 * mask (unless asked for), not signals a shell left ignored.
 */
public final class Spawn {
    private final List<String> argv;
    private final Map<String, String> environment = new HashMap<>();
    private final SortedMap<Integer, Integer> fds = new TreeMap<>();
    private String directory;
    private int[] blocked = new int[0];

    private Spawn(List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.argv = new ArrayList<>(argv);
        // stdin, stdout and stderr are the parent's unless replaced: logs go where the master's go.
        for (int stdio = 0; stdio <= 2; stdio++) {
            fds.put(stdio, stdio);
        }
    }

    public static Spawn command(List<String> argv) {
        return new Spawn(argv);
    }

    public Spawn environment(Map<String, String> variables) {
        environment.putAll(variables);
        return this;
    }

    /** The child's {@code childFd} is the parent's {@code parentFd}. */
    public Spawn fd(int childFd, int parentFd) {
        fds.put(childFd, parentFd);
        return this;
    }

    public Spawn directory(String path) {
        directory = path;
        return this;
    }

    /** Start the child with these signals blocked (a new master keeps the master's mask). */
    public Spawn blocking(int... signals) {
        blocked = signals.clone();
        return this;
    }

    /** Starts it and returns its pid. */
    public int start() {
        return Posix.spawn(argv, environment, fds, directory, blocked);
    }
}
