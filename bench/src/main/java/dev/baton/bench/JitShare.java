package dev.baton.bench;

import dev.baton.testing.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How much of the machine's CPU the served application's JIT compilers take while a phase runs:
 * the CPU time of the compiler threads of every process whose command line names the application's
 * jar (Baton's workers, old and new generation; not the masters, not the load), over all the CPU
 * time the machine had, both from {@code /proc}. What upgrading/steady loses under flat-out load is
 * mostly this: every new worker compiles the application afresh.
 *
 * <p>Sampled every 100 ms, so that workers that exit during the phase count up to their last
 * sample; threads born during the phase count from zero.
 */
final class JitShare {
    private static final Path PROC = Path.of("/proc");
    private static final long SAMPLE_MILLIS = 100;

    private final String jar;
    private final Map<Long, Boolean> matches = new HashMap<>();
    /** Per compiler thread: its CPU ticks when first seen (0 if born during the phase), and when last seen. */
    private final Map<Long, long[]> compilerTicks = new HashMap<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread sampler;
    private final long machineTicksAtStart;
    private boolean firstSweep = true;

    private JitShare(String jar) throws IOException {
        this.jar = jar;
        this.machineTicksAtStart = machineTicks();
        sweep();
        firstSweep = false;
        this.sampler = new Thread(this::sampleUntilStopped, "jit-share");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts measuring the compilers of processes running {@code jar} (a path as on their command line). */
    static JitShare start(String jar) throws IOException {
        return new JitShare(jar);
    }

    /** Stops and returns the compilers' share of the machine's CPU since the start, 0 to 1. */
    double stop() throws IOException, InterruptedException {
        stop.countDown();
        sampler.join();
        sweep();
        long machine = machineTicks() - machineTicksAtStart;
        long compilers = compilerTicks.values().stream().mapToLong(ticks -> ticks[1] - ticks[0]).sum();
        return machine <= 0 ? Double.NaN : (double) compilers / machine;
    }

    private void sampleUntilStopped() {
        try {
            while (!stop.await(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
                sweep();
            }
        } catch (InterruptedException | IOException e) {
            // The last sweep in stop() still counts what it finds.
        }
    }

    private synchronized void sweep() throws IOException {
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (matches.computeIfAbsent(pid, this::runsTheJar)) {
                    sweepThreads(process);
                }
            }
        }
    }

    private boolean runsTheJar(long pid) {
        try {
            return new String(Files.readAllBytes(PROC.resolve(pid + "/cmdline")), StandardCharsets.UTF_8).contains(jar);
        } catch (IOException e) {
            return false; // gone already
        }
    }

    private void sweepThreads(Path process) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(process.resolve("task"))) {
            for (Path thread : threads) {
                Optional<ProcStat> stat = ProcStat.of(thread.resolve("stat")).filter(line -> isJitCompiler(line.name()));
                if (stat.isPresent()) {
                    long cpu = stat.get().cpuTicks();
                    long tid = Long.parseLong(thread.getFileName().toString());
                    compilerTicks.computeIfAbsent(tid, t -> new long[] {firstSweep ? cpu : 0, 0})[1] = cpu;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process or a thread exited while being read: its last sample stands.
        }
    }

    /** All CPU time the machine had so far, idle included, in the same ticks as a thread's. */
    private static long machineTicks() throws IOException {
        String cpu = Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII).get(0);
        long total = 0;
        String[] fields = cpu.trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal [guest guest_nice, already in user and nice]
        for (int i = 1; i < Math.min(fields.length, 9); i++) {
            total += Long.parseLong(fields[i]);
        }
        return total;
    }

    /** HotSpot's C1 and C2 compiler threads, by name ("C2 CompilerThread0", cut to 15 characters by the kernel). */
    static boolean isJitCompiler(String threadName) {
        return threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre");
    }
}
