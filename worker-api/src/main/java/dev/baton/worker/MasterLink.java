package dev.baton.worker;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The worker's end of the two pipes a master passes it: commands arrive on fd 3, status goes out
 * on fd 4, one UTF-8 line per message. The JDK has no API for an inherited fd number, but opening
 * {@code /proc/self/fd/N} reopens the same pipe, which keeps native code off the worker's path.
 *
 * <pre>
 * master -> worker:  quit | term | reopen-logs | unhealthy      (EOF: the master is gone)
 * worker -> master:  ready | heartbeat &lt;completed requests&gt; | draining
 * </pre>
 *
 * <p>{@code unhealthy} comes before a {@code quit} when the master wants load balancers to stop
 * sending traffic first: from then on the health path answers 503, everything else is served as
 * before. A {@code heartbeat} goes out about every second, but only while request threads make
 * progress (see {@link Heartbeat}), so that the master can tell a hung worker from a busy one.
 */
final class MasterLink {

    static final String COMMANDS_PATH = "/proc/self/fd/3";
    static final String STATUS_PATH = "/proc/self/fd/4";

    /** What the master can ask of a worker. Called on the link's reader thread. */
    interface Commands {
        /** {@code quit}: drain, then exit 0. */
        void quit();

        /** {@code term}: exit 0 now, no drain. */
        void term();

        /** {@code reopen-logs}: run the application's hook. */
        void reopenLogs();

        /**
         * {@code unhealthy}: the node is about to stop; the health path answers 503 from now on,
         * while every other request is served and new connections are still accepted.
         */
        void unhealthy();

        /** EOF or a read error on fd 3: the master died; drain and exit so no worker is orphaned. */
        void masterGone();
    }

    private final InputStream commands;
    private final OutputStream status;
    private final EventLog log;
    private boolean statusBroken;

    MasterLink(InputStream commands, OutputStream status, EventLog log) {
        this.commands = commands;
        this.status = status;
        this.log = log;
    }

    /** Opens fds 3 and 4 as the master passed them. */
    static MasterLink inherited(EventLog log) throws IOException {
        InputStream in = new FileInputStream(COMMANDS_PATH);
        try {
            return new MasterLink(in, new FileOutputStream(STATUS_PATH), log);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** Reads commands on a daemon thread of its own until EOF. */
    void startReading(Commands handler) {
        Thread reader = new Thread(() -> read(handler), "baton-control");
        reader.setDaemon(true);
        reader.start();
    }

    void read(Commands handler) {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(commands, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                dispatch(line.strip(), handler);
            }
        } catch (IOException e) {
            log.event("control pipe failed: " + e.getMessage());
        }
        handler.masterGone();
    }

    private void dispatch(String line, Commands handler) {
        switch (line) {
            case "quit":
                handler.quit();
                break;
            case "term":
                handler.term();
                break;
            case "reopen-logs":
                handler.reopenLogs();
                break;
            case "unhealthy":
                handler.unhealthy();
                break;
            case "":
                break;
            default:
                log.event("ignoring unknown control message: " + line);
        }
    }

    void ready() {
        send("ready");
    }

    void heartbeat(long completedRequests) {
        send("heartbeat " + completedRequests);
    }

    void draining() {
        send("draining");
    }

    /**
     * One write per line, so lines from different threads never interleave (a pipe write under
     * 4 KiB is atomic). A broken pipe means the master is gone; the reader sees EOF and drains, so
     * here it is only reported, once.
     */
    private synchronized void send(String message) {
        try {
            status.write((message + "\n").getBytes(StandardCharsets.UTF_8));
            status.flush();
        } catch (IOException e) {
            if (!statusBroken) {
                statusBroken = true;
                log.event("cannot write to master (" + e.getMessage() + "): '" + message + "' lost");
            }
        }
    }
}
