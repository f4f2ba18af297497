package dev.baton.tests;

import dev.baton.testing.Http;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous requests from the test while it restarts things: some clients open a connection per
 * request, others keep one connection alive and reconnect only when the server closes it (as a
 * pooled HTTP client does); slow clients do the same with slow requests, so that some are always
 * running when a worker starts to drain. Every outcome is recorded; anything but a 200 is a failure.
 * Bounded: it stops when told, after {@code maxDuration}, or after {@code maxRequests}.
 */
final class Load implements AutoCloseable {
    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong slowClosed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long deadline;
    private final long maxRequests;
    private volatile String lastVersion;

    Load(int port, int perConnectionClients, int keepAliveClients, Duration maxDuration, long maxRequests) {
        this(port, perConnectionClients, keepAliveClients, 0, "/", maxDuration, maxRequests);
    }

    /** With {@code slowClients} keep-alive clients requesting {@code slowPath} one at a time. */
    Load(int port, int perConnectionClients, int keepAliveClients, int slowClients, String slowPath, Duration maxDuration,
            long maxRequests) {
        this.port = port;
        this.deadline = System.nanoTime() + maxDuration.toNanos();
        this.maxRequests = maxRequests;
        for (int i = 0; i < perConnectionClients; i++) {
            threads.add(new Thread(this::perConnection, "load-new-connection-" + i));
        }
        for (int i = 0; i < keepAliveClients; i++) {
            threads.add(new Thread(() -> keepAlive("/", false), "load-keep-alive-" + i));
        }
        for (int i = 0; i < slowClients; i++) {
            threads.add(new Thread(() -> keepAlive(slowPath, true), "load-slow-" + i));
        }
        threads.forEach(Thread::start);
    }

    private boolean go() {
        return running.get() && System.nanoTime() - deadline < 0 && total.get() < maxRequests;
    }

    private void perConnection() {
        while (go()) {
            total.incrementAndGet();
            try {
                record(Http.get(port, "/"));
            } catch (IOException | RuntimeException e) {
                failures.add("new connection: " + e);
            }
        }
    }

    private void keepAlive(String path, boolean slow) {
        Http connection = null;
        while (go()) {
            total.incrementAndGet();
            try {
                if (connection == null) {
                    connection = Http.connect(port);
                }
                Http.Response response = connection.get(path);
                record(response);
                if (response.closes()) {
                    if (slow) {
                        slowClosed.incrementAndGet();
                    }
                    connection.close();
                    connection = null;
                }
            } catch (IOException | RuntimeException e) {
                failures.add("keep-alive: " + e);
                connection = null;
            }
        }
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (IOException ignored) {
            // Done anyway.
        }
    }

    private void record(Http.Response response) {
        if (response.status() == 200) {
            ok.incrementAndGet();
            lastVersion = response.version();
            versions.computeIfAbsent(response.version(), v -> new AtomicLong()).incrementAndGet();
        } else {
            failures.add("status " + response.status() + ": " + response.body());
        }
    }

    /**
     * Slow responses that said {@code Connection: close}: each was running when its worker began
     * to drain (no worker says it otherwise).
     */
    long slowClosed() {
        return slowClosed.get();
    }

    long ok() {
        return ok.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** The version in the latest successful response. */
    String lastVersion() {
        return lastVersion;
    }

    Map<String, AtomicLong> versions() {
        return versions;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(30_000);
        }
    }
}
