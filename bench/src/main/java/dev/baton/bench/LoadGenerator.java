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
 * The load process: {@code Main load PORT MODE CONNECTIONS RATE SLOW_CLIENTS SLOW_MS WARMUP_SECONDS
 * MAX_SECONDS MAX_REQUESTS}. A process of its own so that the servers it measures and the client never share
 * a JVM (GC pauses, JIT, thread scheduling). RATE is the requests per second of the CONNECTIONS
 * clients together, 0 for flat out; the slow clients are never paced. Requests started in the
 * first WARMUP_SECONDS go to the {@link Bucket#WARMUP} bucket, and the steady phase starts after it.
 *
 * <p>The orchestrator steers it through stdin, one word per line: {@code restarts} (the steady
 * phase is over), {@code open} and {@code close} (a restart window), {@code stop}. End of input
 * also stops it, so it never outlives an orchestrator that died. It prints {@code started}, then,
 * once stopped, a {@link LoadResult}. It stops by itself after MAX_SECONDS or MAX_REQUESTS.
 *
 * <p>{@link OverheadRounds} drives its rounds through instances of this class too, without stdin.
 */
final class LoadGenerator {
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final long FLAT_OUT_MAX_REQUESTS = 50_000_000;

    /** A request's start or end: when, and what the orchestrator had said by then. */
    record Moment(long nanos, boolean restarts, boolean window, long windowEdges) {
    }

    private final int port;
    private final long measuredNanos;
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

    /** {@code maxSeconds} bounds the whole run, warm-up included. */
    LoadGenerator(int port, double warmUpSeconds, double maxSeconds, long maxRequests) {
        this.port = port;
        this.measuredNanos = startNanos + (long) (warmUpSeconds * 1e9);
        this.deadline = startNanos + (long) (maxSeconds * 1e9);
        this.maxRequests = maxRequests;
    }

    /** {@code connections} clients flat out on {@code port} for {@code seconds}, all of it counted, in this process. */
    static LoadResult flatOut(Mode mode, int connections, int port, double seconds) throws InterruptedException {
        LoadGenerator load = new LoadGenerator(port, 0, seconds, FLAT_OUT_MAX_REQUESTS);
        return load.drive(load.clients(mode, connections, 0, 0, 0), () -> { });
    }

    static void run(String[] args) throws Exception {
        if (args.length != 9) {
            throw new IllegalArgumentException(
                    "usage: load PORT MODE CONNECTIONS RATE SLOW_CLIENTS SLOW_MS WARMUP_SECONDS MAX_SECONDS MAX_REQUESTS");
        }
        LoadGenerator load = new LoadGenerator(Integer.parseInt(args[0]), Double.parseDouble(args[6]),
                Long.parseLong(args[7]), Long.parseLong(args[8]));
        List<Client> clients = load.clients(Mode.of(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]),
                Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        LoadResult result = load.drive(clients, () -> {
            out.println("started");
            Thread commands = new Thread(load::readCommands, "commands");
            commands.setDaemon(true);
            commands.start();
        });
        result.write(out);
    }

    /**
     * {@code connections} clients of {@code /}, paced to {@code rate} requests per second together
     * (0: flat out), their schedules staggered evenly; then {@code slow} clients of {@code /slow}.
     */
    List<Client> clients(Mode mode, int connections, double rate, int slow, int slowMillis) {
        long interval = rate > 0 ? (long) (connections * 1e9 / rate) : 0;
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(new Client(this, mode, "/", TIMEOUT_MILLIS, false, interval, interval * i / connections));
        }
        for (int i = 0; i < slow; i++) {
            clients.add(new Client(this, mode, "/slow?ms=" + slowMillis, slowMillis + TIMEOUT_MILLIS, true, 0, 0));
        }
        return clients;
    }

    /**
     * Runs {@code clients} until stopped or out of time or requests, and returns what they
     * measured; {@code started} runs once every client thread has.
     */
    LoadResult drive(List<Client> clients, Runnable started) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (Client client : clients) {
            Thread thread = new Thread(client, "client-" + threads.size());
            threads.add(thread);
            thread.start();
        }
        started.run();
        stop.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        running = false;
        long endNanos = System.nanoTime();
        for (Thread thread : threads) {
            thread.join();
        }
        return LoadResult.of(clients, phaseSeconds(endNanos));
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

    /** Seconds of the steady phase (after the warm-up) and of the restarts phase. */
    private double[] phaseSeconds(long endNanos) {
        long split = restarts ? restartsNanos : endNanos;
        return new double[] {Math.max(0, split - measuredNanos) / 1e9, (endNanos - split) / 1e9};
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
        if (start.nanos() - measuredNanos < 0) {
            return Bucket.WARMUP;
        }
        if (!start.restarts()) {
            return Bucket.STEADY;
        }
        boolean touchedWindow = start.window() || end.window() || start.windowEdges() != end.windowEdges();
        return touchedWindow ? Bucket.WINDOW : Bucket.BETWEEN;
    }
}
