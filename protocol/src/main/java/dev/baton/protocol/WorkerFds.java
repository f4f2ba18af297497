package dev.baton.protocol;

/** Where a worker finds what its master passed it. */
public final class WorkerFds {

    /** The listening socket: the only fd {@code System.inheritedChannel()} looks at. */
    public static final int LISTENER = 0;
    /** Commands from the master; end of file means the master is gone. */
    public static final int COMMANDS = 3;
    /** Reports to the master. */
    public static final int REPORTS = 4;

    private WorkerFds() {
    }

    /**
     * How a JVM opens an inherited fd without native code: opening the {@code /proc} link reopens
     * the same pipe.
     */
    public static String procPath(int fd) {
        return "/proc/self/fd/" + fd;
    }
}
