package dev.baton.worker.runtime;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One stderr line per lifecycle event, in a shape the master and operators can grep across every
 * worker of every generation. Deliberately not a logging framework: the application owns those.
 */
final class EventLog {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final String prefix;

    private EventLog(String prefix) {
        this.prefix = prefix;
    }

    static EventLog supervised(int generation, int workerNumber) {
        return new EventLog(
                "baton[" + pid() + "] gen " + generation + " worker " + workerNumber + ": ");
    }

    /** Before the environment has been read, when generation and worker are unknown. */
    static EventLog early() {
        return new EventLog("baton[" + pid() + "]: ");
    }

    static EventLog standalone() {
        return new EventLog("baton[" + pid() + "] standalone: ");
    }

    void event(String message) {
        // Looked up per call: an application may redirect System.err after start-up.
        System.err.println(line(Instant.now(), message));
    }

    String line(Instant time, String message) {
        return TIME.format(time) + " " + prefix + message;
    }

    /** {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }
}
