package dev.baton.systemd;

import dev.baton.posix.Posix;
import java.util.function.Consumer;

/**
 * Tells systemd what the master is doing (sd_notify(3)), so a {@code Type=notify} unit follows hot
 * upgrades: a new master with a new pid is exactly what a service manager otherwise takes for the
 * service dying.
 *
 * <p>Only the master systemd regards as the service's main process speaks. A first master is main
 * from the start. An old master stops being main once its successor says {@code MAINPID=}, which
 * the successor does just before it sends the old master QUIT: systemd then takes the old
 * master's exit for an ordinary child exiting, and its QUIT-driven stop must not say
 * {@code STOPPING=1}, which would stop the whole service. A new master that rolls back never was
 * main, so its exit means nothing to systemd either.
 *
 * <p>Every message carries a {@code STATUS=} line for {@code systemctl status}; changes in the
 * number of ready workers send that line alone.
 */
public final class Notifier {
    private final int generation;
    private final Consumer<String> socket;
    private boolean main;
    private int ready;
    private int total;
    /** What is going on besides serving, appended to the worker count; empty when nothing is. */
    private String note = "";
    private String lastStatus;

    Notifier(int generation, boolean main, Consumer<String> socket) {
        this.generation = generation;
        this.main = main;
        this.socket = socket;
    }

    /**
     * A notifier for this master: silent unless {@code $NOTIFY_SOCKET} names a socket.
     *
     * @param main whether systemd started this master (true) or an old master did on USR2 (false)
     */
    public static Notifier fromEnvironment(int generation, boolean main) {
        Consumer<String> socket = NotifySocket.open(System.getenv(NotifySocket.VARIABLE))
                .<Consumer<String>>map(s -> s::send)
                .orElse(message -> { });
        return new Notifier(generation, main, socket);
    }

    /** The generation's worker count as of now; tells systemd only if the status line changed. */
    public void workers(int readyWorkers, int totalWorkers) {
        ready = readyWorkers;
        total = totalWorkers;
        send("");
    }

    /** The first generation is ready: the service has started. */
    public void ready() {
        send("READY=1\n");
    }

    /** USR2: a reload begins. MONOTONIC_USEC lets systemd match RELOADING=1 to the READY=1 that ends it. */
    public void reloading(int nextGeneration) {
        note = "; upgrading to generation " + nextGeneration;
        send("RELOADING=1\nMONOTONIC_USEC=" + Posix.monotonicMicros() + "\n");
    }

    /** The upgrade was rolled back: this master still serves, and the reload is over. */
    public void upgradeFailed(String reason) {
        note = "; last upgrade failed: " + reason;
        send("READY=1\n");
    }

    /** This new master's generation is ready: it becomes the service's main process, and the reload is over. */
    public void takeOver(int pid) {
        main = true;
        note = "";
        send("MAINPID=" + pid + "\nREADY=1\n");
    }

    /** The successor has taken over (it said MAINPID=): from now on this master says nothing. */
    public void handedOver() {
        main = false;
    }

    /** The service is stopping (QUIT, TERM, INT). */
    public void stopping(String why) {
        note = "; stopping: " + why;
        send("STOPPING=1\n");
    }

    private void send(String tags) {
        if (!main) {
            return;
        }
        String status = "generation " + generation + ": " + ready + " of " + total + " workers ready" + note;
        if (tags.isEmpty() && status.equals(lastStatus)) {
            return;
        }
        lastStatus = status;
        socket.accept(tags + "STATUS=" + status);
    }
}
