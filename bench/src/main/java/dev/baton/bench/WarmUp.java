package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Flat-out load on a server until its throughput stops rising: uncounted, so that no server's JIT
 * warm-up lands in a measured steady phase. A fixed second, then three, were too short: a bare
 * hello JVM still gained half again after one second, and two worker JVMs on two cores, each
 * compiling for itself and each deoptimising when its first connections close, took 5-10 s. Also
 * a load process of its own, {@code Main warm MODE CONNECTIONS MAX_SECONDS PORT}. Each warm-up's
 * slices go to stderr. Uncounted is not unchecked: a request that fails fails the warm-up.
 */
final class WarmUp {
    private static final double SLICE_SECONDS = 1;
    private static final int MIN_SLICES = 3;
    /** A slice that beats every one before it by more than this is still warming up. */
    private static final double STILL_RISING = 1.03;

    private WarmUp() {
    }

    static void run(String[] args) throws InterruptedException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: warm MODE CONNECTIONS MAX_SECONDS PORT");
        }
        untilSteady(Mode.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[3]), Double.parseDouble(args[2]));
    }

    /**
     * Flat out in one-second slices until {@link #steady} says so or {@code maxSeconds} have
     * passed.
     *
     * @throws IllegalStateException if any request failed
     */
    static void untilSteady(Mode mode, int connections, int port, double maxSeconds) throws InterruptedException {
        List<Double> slices = new ArrayList<>();
        long failures = 0;
        while (slices.size() < Math.max(MIN_SLICES, maxSeconds / SLICE_SECONDS) && !steady(slices)) {
            LoadResult slice = LoadGenerator.flatOut(mode, connections, port, SLICE_SECONDS);
            slices.add(slice.bucket(Bucket.STEADY).requests() / slice.steadySeconds());
            failures += slice.failures();
        }
        System.err.printf("warm-up of port %d, %s: %d s, req/s %s, %d failed%n", port, mode.label, slices.size(),
                slices.stream().map(t -> Long.toString(Math.round(t))).toList(), failures);
        if (failures > 0) {
            throw new IllegalStateException(failures + " request(s) to port " + port + " failed during its warm-up");
        }
    }

    /**
     * Whether throughput has stopped rising: at least {@link #MIN_SLICES} slices, and the last
     * gains no more than {@link #STILL_RISING} on the best before it.
     */
    static boolean steady(List<Double> slices) {
        if (slices.size() < MIN_SLICES) {
            return false;
        }
        double last = slices.get(slices.size() - 1);
        double best = slices.subList(0, slices.size() - 1).stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return last <= best * STILL_RISING;
    }
}
