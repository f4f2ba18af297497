package dev.baton.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The orchestrator's handle on a {@link LoadGenerator} process: steers it, then collects its result. */
final class LoadProcess {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration FINISH = Duration.ofSeconds(60);
    private static final long MAX_REQUESTS = 50_000_000;

    private final Process process;
    private final PrintStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private LoadProcess(Process process) {
        this.process = process;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readLines, "load-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts load on {@code port}, paced to {@code --rate}, bounded by {@code maxSeconds}, and
     * returns once its clients run.
     */
    static LoadProcess start(Sandbox sandbox, Options options, Mode mode, int port, long maxSeconds, Path log)
            throws IOException, InterruptedException {
        return start(sandbox, mode, port, options.connections(), options.rate(), options.slowClients(), options.slowMillis(),
                0, maxSeconds, log);
    }

    /**
     * Starts flat-out load on {@code port} from {@code --connections} clients, no slow ones, its
     * first {@code warmUpSeconds} uncounted; returns once its clients run.
     */
    static LoadProcess flatOut(Sandbox sandbox, Options options, Mode mode, int port, double warmUpSeconds, long maxSeconds,
            Path log) throws IOException, InterruptedException {
        return start(sandbox, mode, port, options.connections(), 0, 0, 0, warmUpSeconds, maxSeconds, log);
    }

    /**
     * Loads {@code port} flat out from {@code --connections} clients until its throughput stops
     * rising ({@link WarmUp}, at most {@code maxSeconds}); returns when that is done.
     *
     * @throws IllegalStateException if a request failed or the process did not finish
     */
    static void warmUp(Sandbox sandbox, Options options, Mode mode, int port, double maxSeconds, Path log)
            throws IOException, InterruptedException {
        List<String> command = sandbox.loadCommand("warm", mode.label, Integer.toString(options.connections()),
                Double.toString(maxSeconds), Integer.toString(port));
        Process process = sandbox.builder(command, Map.of()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor((long) maxSeconds + START.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("the warm-up before the steady phase failed or hung; see " + log);
        }
    }

    private static LoadProcess start(Sandbox sandbox, Mode mode, int port, int connections, double rate, int slow,
            int slowMillis, double warmUpSeconds, long maxSeconds, Path log) throws IOException, InterruptedException {
        List<String> command = sandbox.loadCommand("load", Integer.toString(port), mode.label, Integer.toString(connections),
                Double.toString(rate), Integer.toString(slow), Integer.toString(slowMillis),
                Double.toString(warmUpSeconds), Long.toString(maxSeconds), Long.toString(MAX_REQUESTS));
        Process process = sandbox.builder(command, Map.of()).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        LoadProcess load = new LoadProcess(process);
        String first = load.lines.poll(START.toSeconds(), TimeUnit.SECONDS);
        if (!"started".equals(first)) {
            process.destroyForcibly();
            throw new IllegalStateException("load process did not start (" + first + "); see " + log);
        }
        return load;
    }

    /** The steady phase is over; restarts follow. */
    void restartsBegin() {
        commands.println("restarts");
    }

    void openWindow() {
        commands.println("open");
    }

    void closeWindow() {
        commands.println("close");
    }

    /** Stops the clients and returns what they measured. */
    LoadResult stop() throws InterruptedException {
        commands.println("stop");
        List<String> result = new ArrayList<>();
        long deadline = System.nanoTime() + FINISH.toNanos();
        for (String line = next(deadline); !line.equals("end"); line = next(deadline)) {
            result.add(line);
        }
        process.waitFor(FINISH.toSeconds(), TimeUnit.SECONDS);
        return LoadResult.read(result);
    }

    private String next(long deadline) throws InterruptedException {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
            process.destroyForcibly();
            throw new IllegalStateException("load process gave no result within " + FINISH.toSeconds() + " s");
        }
        return line;
    }

    private void readLines() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
            lines.add("(the load process exited; see its log)");
        } catch (IOException e) {
            lines.add("load output: " + e.getMessage());
        }
    }
}
