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
 * pooled HTTP client does). Every outcome is recorded; anything but a 200 is a failure.
 * Bounded: it stops when told, after {@code maxDuration}, or after {@code maxRequests}.
 */
final class Load implements AutoCloseable {
    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong slowOk = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long deadline;
    private final long maxRequests;
    private volatile String lastVersion;

    Load(int port, int perConnectionClients, int keepAliveClients, Duration maxDuration, long maxRequests) {
        this.port = port;
        this.deadline = System.nanoTime() + maxDuration.toNanos();
        this.maxRequests = maxRequests;
        for (int i = 0; i < perConnectionClients; i++) {
            threads.add(new Thread(this::perConnection, "load-new-connection-" + i));
        }
        for (int i = 0; i < keepAliveClients; i++) {
            threads.add(new Thread(this::keepAlive, "load-keep-alive-" + i));
        }
        threads.forEach(Thread::start);
    }

    /**
     * Adds {@code clients} that each keep one {@code /slow?ms=millis} request in flight, one after
     * the other on a new connection: whenever the test restarts something, some are mid-request.
     */
    Load withSlowClients(int clients, long millis) {
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> slow(millis), "load-slow-" + i);
            threads.add(thread);
            thread.start();
        }
        return this;
    }

    private void slow(long millis) {
        while (go()) {
            total.incrementAndGet();
            try {
                Http.Response response = Http.get(port, "/slow?ms=" + millis);
                record(response);
                if (response.status() == 200) {
                    slowOk.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                failures.add("slow: " + e);
            }
        }
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

    private void keepAlive() {
        Http connection = null;
        while (go()) {
            total.incrementAndGet();
            try {
                if (connection == null) {
                    connection = Http.connect(port);
                }
                Http.Response response = connection.get("/");
                record(response);
                if (response.closes()) {
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

    long ok() {
        return ok.get();
    }

    /** Slow requests answered 200. */
    long slowOk() {
        return slowOk.get();
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
