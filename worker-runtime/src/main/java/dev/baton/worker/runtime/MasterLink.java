package dev.baton.worker.runtime;

import dev.baton.protocol.Command;
import dev.baton.protocol.Report;
import dev.baton.protocol.WorkerFds;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The worker's end of the two pipes a master passes it ({@link WorkerFds}): {@link Command}s in,
 * {@link Report}s out. The JDK has no API for an inherited fd number, but opening {@code
 * /proc/self/fd/N} reopens the same pipe, which keeps native code off the worker's path.
 */
final class MasterLink {

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
        InputStream in = new FileInputStream(WorkerFds.procPath(WorkerFds.COMMANDS));
        try {
            return new MasterLink(in, new FileOutputStream(WorkerFds.procPath(WorkerFds.REPORTS)), log);
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
        if (line.isEmpty()) {
            return;
        }
        Optional<Command> command = Command.parse(line);
        if (command.isEmpty()) {
            log.event("ignoring unknown control message: " + line);
            return;
        }
        switch (command.get()) {
            case QUIT -> handler.quit();
            case TERM -> handler.term();
            case REOPEN_LOGS -> handler.reopenLogs();
            case UNHEALTHY -> handler.unhealthy();
        }
    }

    void ready() {
        send(new Report.Ready());
    }

    void heartbeat(long completedRequests) {
        send(new Report.Heartbeat(completedRequests));
    }

    void draining() {
        send(new Report.Draining());
    }

    /**
     * One write per line, so lines from different threads never interleave (a pipe write under
     * 4 KiB is atomic). A broken pipe means the master is gone; the reader sees EOF and drains, so
     * here it is only reported, once.
     */
    private synchronized void send(Report report) {
        String message = report.line();
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
