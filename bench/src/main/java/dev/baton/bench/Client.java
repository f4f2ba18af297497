package dev.baton.bench;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * One client thread of the load generator: sends requests back to back (flat out) or on a
 * schedule (paced), records each one's outcome and latency, and never retries. In keep-alive mode it reuses its connection until the
 * server says {@code Connection: close} or a request fails; then the next request connects anew.
 * After a failure it pauses 10 ms, as a real client would not hammer a dead port.
 *
 * <p>Paced, request n is due at {@code first + n * interval}. A client that falls behind sends its
 * next request at once instead of skipping any, so a stalled server is charged with every request
 * that should have been sent meanwhile; latency runs from when the request really started.
 */
final class Client implements Runnable {
    private static final long FAILURE_PAUSE_MILLIS = 10;

    private final LoadGenerator load;
    private final Mode mode;
    private final String path;
    private final int timeoutMillis;
    private final boolean slow;
    private final long intervalNanos;
    private long nextNanos;
    final Map<Bucket, Tally> tallies = new EnumMap<>(Bucket.class);
    final Map<String, Long> versions = new HashMap<>();
    private Http connection;

    /** {@code intervalNanos} 0 runs flat out; else the first request is due {@code offsetNanos} from now. */
    Client(LoadGenerator load, Mode mode, String path, int timeoutMillis, boolean slow, long intervalNanos,
            long offsetNanos) {
        this.load = load;
        this.mode = mode;
        this.path = path;
        this.timeoutMillis = timeoutMillis;
        this.slow = slow;
        this.intervalNanos = intervalNanos;
        this.nextNanos = System.nanoTime() + offsetNanos;
        for (Bucket bucket : Bucket.values()) {
            tallies.put(bucket, new Tally());
        }
    }

    @Override
    public void run() {
        for (awaitSchedule(); load.mayStartRequest(); awaitSchedule()) {
            LoadGenerator.Moment start = load.now();
            Outcome outcome = request();
            LoadGenerator.Moment end = load.now();
            tallies.get(slow ? Bucket.SLOW : load.bucket(start, end))
                    .record(outcome, (end.nanos() - start.nanos()) / 1_000);
            if (outcome != Outcome.OK) {
                // A refused connect fails in microseconds: without a pause the client would spin,
                // starve the restarting server of CPU and count thousands of failures per second.
                Poll.pause(FAILURE_PAUSE_MILLIS);
            }
        }
        closeConnection();
    }

    /** Waits until the next request is due, if paced; a request overdue is due now. */
    private void awaitSchedule() {
        if (intervalNanos > 0) {
            long wait = nextNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            nextNanos += intervalNanos;
        }
    }

    private Outcome request() {
        boolean connecting = connection == null;
        try {
            if (connecting) {
                connection = Http.connect(load.port(), Duration.ofMillis(timeoutMillis));
                connecting = false;
            }
            Http.Response response = connection.get(path, mode == Mode.KEEP_ALIVE);
            if (response.closes()) {
                closeConnection();
            }
            Outcome outcome = Outcome.ofStatus(response.status());
            String version = response.version();
            if (outcome == Outcome.OK && version != null) {
                versions.merge(version, 1L, Long::sum);
            }
            return outcome;
        } catch (IOException | RuntimeException e) {
            closeConnection();
            return e instanceof IOException io ? Outcome.of(io, connecting) : Outcome.READ_ERROR;
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // Closing is all we wanted.
            }
            connection = null;
        }
    }
}
