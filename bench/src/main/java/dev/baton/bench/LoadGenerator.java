package dev.baton.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load process: {@code Main load PORT MODE CONNECTIONS SLOW_CLIENTS SLOW_MS MAX_SECONDS
 * MAX_REQUESTS}. A process of its own so that the servers it measures and the client never share
 * a JVM (GC pauses, JIT, thread scheduling).
 *
 * <p>The orchestrator steers it through stdin, one word per line: {@code restarts} (the steady
 * phase is over), {@code open} and {@code close} (a restart window), {@code stop}. End of input
 * also stops it, so it never outlives an orchestrator that died. It prints {@code started}, then,
 * once stopped, a {@link LoadResult}. It stops by itself after MAX_SECONDS or MAX_REQUESTS.
 */
final class LoadGenerator {
    private static final int TIMEOUT_MILLIS = 5_000;

    /** A request's start or end: when, and what the orchestrator had said by then. */
    record Moment(long nanos, boolean restarts, boolean window, long windowEdges) {
    }

    private final int port;
    private final long deadline;
    private final long maxRequests;
    private final AtomicLong started = new AtomicLong();
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean restarts;
    private volatile boolean window;
    private volatile long windowEdges;
    private final long startNanos = System.nanoTime();
    private volatile long restartsNanos;

    private LoadGenerator(int port, long maxSeconds, long maxRequests) {
        this.port = port;
        this.deadline = startNanos + TimeUnit.SECONDS.toNanos(maxSeconds);
        this.maxRequests = maxRequests;
    }

    static void run(String[] args) throws Exception {
        if (args.length != 7) {
            throw new IllegalArgumentException("usage: load PORT MODE CONNECTIONS SLOW_CLIENTS SLOW_MS MAX_SECONDS MAX_REQUESTS");
        }
        LoadGenerator load = new LoadGenerator(Integer.parseInt(args[0]), Long.parseLong(args[5]), Long.parseLong(args[6]));
        Mode mode = Mode.of(args[1]);
        int slowMillis = Integer.parseInt(args[4]);
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[2]); i++) {
            clients.add(new Client(load, mode, "/", TIMEOUT_MILLIS, false));
        }
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
            clients.add(new Client(load, mode, "/slow?ms=" + slowMillis, slowMillis + TIMEOUT_MILLIS, true));
        }
        List<Thread> threads = new ArrayList<>();
        for (Client client : clients) {
            Thread thread = new Thread(client, "client-" + threads.size());
            threads.add(thread);
            thread.start();
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("started");
        Thread commands = new Thread(load::readCommands, "commands");
        commands.setDaemon(true);
        commands.start();
        load.stop.await(Math.max(0, load.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        load.running = false;
        long endNanos = System.nanoTime();
        for (Thread thread : threads) {
            thread.join();
        }
        LoadResult.of(clients, load.phaseSeconds(endNanos)).write(out);
    }

    private void readCommands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                switch (line) {
                    case "restarts" -> {
                        restartsNanos = System.nanoTime();
                        restarts = true;
                    }
                    case "open", "close" -> {
                        window = line.equals("open");
                        windowEdges++;
                    }
                    default -> System.err.println("load: unknown command '" + line + "'");
                }
            }
        } catch (IOException e) {
            System.err.println("load: stdin: " + e.getMessage());
        }
        stop.countDown();
    }

    /** Seconds of the steady phase and of the restarts phase. */
    private double[] phaseSeconds(long endNanos) {
        long split = restarts ? restartsNanos : endNanos;
        return new double[] {(split - startNanos) / 1e9, (endNanos - split) / 1e9};
    }

    int port() {
        return port;
    }

    boolean mayStartRequest() {
        return running && System.nanoTime() - deadline < 0 && started.incrementAndGet() <= maxRequests;
    }

    Moment now() {
        long edges = windowEdges;
        return new Moment(System.nanoTime(), restarts, window, edges);
    }

    Bucket bucket(Moment start, Moment end) {
        if (!start.restarts()) {
            return Bucket.STEADY;
        }
        boolean touchedWindow = start.window() || end.window() || start.windowEdges() != end.windowEdges();
        return touchedWindow ? Bucket.WINDOW : Bucket.BETWEEN;
    }
}
