package dev.baton.master;

import dev.baton.posix.Posix;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an old master hands the new master it starts on USR2, through the environment: the fds of
 * the listening sockets (adopted, never re-bound: the socket must not close), its own pid, the
 * generation number to take, and a pipe on which the new master reports to it: {@code ready <ms>
 * <auto|manual>}, {@code failed <reason>}, or {@code stop <graceful|quick>} (the operator stopped
 * the new master before its handoff, so the service stops). {@link Upgrade} reads these lines,
 * {@link Takeover} writes them; a {@link Standby} also says {@code parked} and {@code woken} there.
 */
public record Inheritance(int oldMaster, int generation, List<Integer> listenerFds, int reportFd) {
    static final String FROM = "BATON_UPGRADE_FROM";
    static final String GENERATION = "BATON_UPGRADE_GENERATION";
    static final String LISTENER_FDS = "BATON_UPGRADE_LISTENER_FDS";
    static final String REPORT_FD = "BATON_UPGRADE_REPORT_FD";
    static final List<String> VARIABLES = List.of(FROM, GENERATION, LISTENER_FDS, REPORT_FD);
    static final String READY = "ready";
    static final String FAILED = "failed";
    static final String STOP = "stop";

    public Inheritance {
        listenerFds = List.copyOf(listenerFds);
    }

    /** The inheritance this process was started with, if an old master started it. */
    public static Optional<Inheritance> fromEnvironment() {
        String from = System.getenv(FROM);
        if (from == null) {
            return Optional.empty();
        }
        try {
            List<Integer> fds = new ArrayList<>();
            for (String fd : System.getenv(LISTENER_FDS).split(",")) {
                fds.add(Integer.parseInt(fd));
            }
            return Optional.of(new Inheritance(Integer.parseInt(from), Integer.parseInt(System.getenv(GENERATION)),
                    fds, Integer.parseInt(System.getenv(REPORT_FD))));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed upgrade environment (" + FROM + " and friends): " + e.getMessage());
        }
    }

    /** The variables that tell a new master, started with fds laid out from 3 on, what it inherits. */
    static Map<String, String> environment(int oldMaster, int generation, int listeners) {
        int[] fds = new int[listeners];
        Arrays.setAll(fds, i -> 3 + i);
        return Map.of(FROM, Integer.toString(oldMaster),
                GENERATION, Integer.toString(generation),
                LISTENER_FDS, String.join(",", Arrays.stream(fds).mapToObj(Integer::toString).toList()),
                REPORT_FD, Integer.toString(3 + listeners));
    }

    /** Every fd this process must keep open across its own start-up. */
    public List<Integer> fds() {
        List<Integer> all = new ArrayList<>(listenerFds);
        all.add(reportFd);
        return all;
    }

    /** Tells the old master why this new master gives up, so it can tell the operator. */
    public void reportFailure(String reason) {
        report(FAILED + " " + reason);
    }

    void report(String line) {
        Posix.write(reportFd, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
