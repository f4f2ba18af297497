package dev.baton.systemd;

import dev.baton.master.Log;
import dev.baton.net.ListenAddress;
import dev.baton.net.Listener;
import dev.baton.posix.Posix;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The listening sockets systemd opened for this process (sd_listen_fds(3)): {@code LISTEN_FDS}
 * sockets from fd 3 on, meant for the process whose pid is {@code LISTEN_PID}, named by
 * {@code LISTEN_FDNAMES}.
 *
 * <p>A master started with such sockets serves on them <em>instead of</em> binding its configured
 * addresses: the unit's .socket file is then where the addresses live, and binding the same port
 * a second time would fail anyway. Once adopted they are ordinary listeners, so a hot upgrade
 * hands them on like any other (a new master never looks at {@code LISTEN_FDS}: its
 * {@code LISTEN_PID} names the old master).
 */
public final class SocketActivation {
    /** SD_LISTEN_FDS_START. */
    static final int FIRST_FD = 3;
    /** systemd's name for a socket without FileDescriptorName=. */
    private static final String UNNAMED = "unknown";

    private final List<String> names;
    /** Why LISTEN_FDS was set and yet does not apply to us, or null. */
    private final String ignored;

    private SocketActivation(List<String> names, String ignored) {
        this.names = List.copyOf(names);
        this.ignored = ignored;
    }

    /** No sockets from systemd: what a new master started on USR2 has. */
    public static SocketActivation none() {
        return new SocketActivation(List.of(), null);
    }

    public static SocketActivation fromEnvironment() {
        return parse(System.getenv(), Posix.pid());
    }

    /** Reads the variables as sd_listen_fds does; malformed ones are an error, not silence, so a broken unit shows. */
    static SocketActivation parse(Map<String, String> environment, int pid) {
        String fdsText = environment.get("LISTEN_FDS");
        if (fdsText == null) {
            return none();
        }
        String pidText = environment.get("LISTEN_PID");
        if (pidText == null) {
            return new SocketActivation(List.of(), "LISTEN_FDS is set without LISTEN_PID");
        }
        int listenPid = number("LISTEN_PID", pidText);
        int count = number("LISTEN_FDS", fdsText);
        if (listenPid != pid) {
            // Inherited by accident, e.g. through a shell started by the activated process.
            return new SocketActivation(List.of(), "LISTEN_PID=" + listenPid + " is another process (this is " + pid + ")");
        }
        List<String> names = new ArrayList<>();
        String namesText = environment.get("LISTEN_FDNAMES");
        String[] given = namesText == null || namesText.isEmpty() ? new String[0] : namesText.split(":", -1);
        for (int i = 0; i < count; i++) {
            names.add(i < given.length && !given[i].isEmpty() ? given[i] : UNNAMED);
        }
        return new SocketActivation(names, null);
    }

    private static int number(String variable, String text) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(variable + "='" + text + "' is not a non-negative number: the service "
                + "manager's socket activation environment is broken");
    }

    /** The fds systemd passed, which must survive this JVM re-executing itself. */
    public List<Integer> fds() {
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            fds.add(FIRST_FD + i);
        }
        return fds;
    }

    List<String> names() {
        return names;
    }

    String ignored() {
        return ignored;
    }

    /**
     * The listeners of a first start: systemd's sockets if it passed any, else the configured
     * addresses, bound. Activation wins over --listen because the socket unit owns the addresses
     * then; the log says which configured ones are not bound.
     */
    public List<Listener> listeners(List<ListenAddress> configured) {
        if (ignored != null) {
            Log.line("systemd", "LISTEN_FDS ignored: " + ignored + "; binding the configured addresses");
        }
        List<Listener> listeners = new ArrayList<>();
        if (names.isEmpty()) {
            configured.forEach(address -> listeners.add(Listener.bind(address)));
            return listeners;
        }
        for (int i = 0; i < names.size(); i++) {
            listeners.add(adopt(FIRST_FD + i, names.get(i)));
        }
        Log.line("systemd", "serving on the " + names.size() + " socket(s) systemd passed (LISTEN_FDS); not binding "
                + configured.stream().map(ListenAddress::toString).collect(Collectors.joining(", "))
                + " (socket activation wins over --listen and 'listen =')");
        return listeners;
    }

    private static Listener adopt(int fd, String name) {
        try {
            Listener listener = Listener.adopt(fd);
            Log.line("systemd", "fd " + fd + " (" + name + "): " + listener.display());
            return listener;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("socket activation: fd " + fd + " (" + name + "): " + e.getMessage()
                    + "; Baton serves on listening TCP sockets: use ListenStream=[HOST:]PORT with Accept=no in the .socket unit");
        }
    }
}
