package dev.baton.bench;

import dev.baton.testing.Poll;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One restart run: a server, a paced load process in one mode, a steady phase, then restarts a gap
 * apart with the load still running. Paced throughout, so the steady phase's latency is a fair
 * reference for the restart windows' and the restarting JVMs boot on a machine with CPU to spare.
 * Or, for {@link FlatOutUpgrades}, the same under flat-out load with no gap. Before the load and
 * after each restart the server settles (Baton's standby master parks), as a deploy minutes after
 * the last finds it. Each run has a sandbox of its own, so nothing of one outlives it.
 */
final class Scenario {
    /**
     * Before flat-out load is measured, the server is loaded until its throughput stops rising
     * ({@link WarmUp}, at most this long), so that its JIT warm-up lands in no steady phase: with
     * a fixed 1 s, then 3 s, two fresh hello workers on 2 cores were still compiling through it.
     */
    private static final double FLAT_OUT_MAX_WARMUP_SECONDS = 15;
    /** Then the load process's own uncounted start: its clients' JIT warm-up. */
    private static final double FLAT_OUT_CLIENT_WARMUP_SECONDS = 3;

    /** What serves, and how it restarts. */
    enum Kind {
        BATON("baton", "Baton, 2 workers"),
        NAIVE("naive", "naive restart"),
        REUSEPORT("reuseport", "SO_REUSEPORT overlap");

        final String label;
        final String title;

        Kind(String label, String title) {
            this.label = label;
            this.title = title;
        }

        static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown scenario '" + label + "'");
        }

        int restarts(Options options) {
            return switch (this) {
                case BATON -> options.upgrades();
                case NAIVE, REUSEPORT -> options.restarts();
            };
        }

        Server server(Sandbox sandbox, Options options) {
            return switch (this) {
                case BATON -> new BatonServer(sandbox, options.home(), Bench.app(sandbox, options), 2);
                case NAIVE -> new ProcessServer(sandbox, Bench.app(sandbox, options), false, label);
                case REUSEPORT -> new ProcessServer(sandbox, List.of(sandbox.java(), "-Xmx64m", "-cp",
                        Sandbox.classPath(), Main.class.getName(), "reuseport-hello"), true, label);
            };
        }
    }

    /**
     * What one run measured; {@code masterRssKib} is Baton's last master's resident memory at the
     * end (-1 for the others); {@code steadyJit} and {@code restartsJit}, under flat-out load only
     * (NaN otherwise), the application's JIT compilers' share of the machine's CPU ({@link
     * JitShare}) in the steady seconds and from the first restart to the end; {@code error} says
     * why it stopped early, null if it did not.
     */
    record Result(Kind kind, Mode mode, LoadResult load, List<RestartTiming> restarts, long masterRssKib, double steadyJit,
                  double restartsJit, String error) {
    }

    private Scenario() {
    }

    static Result run(Kind kind, Mode mode, Options options) throws Exception {
        return run(kind, mode, kind.restarts(options), false, options);
    }

    /**
     * {@code restarts} back to back under flat-out load, after an uncounted warm-up and the
     * steady phase: what a restart costs a machine with no CPU to spare.
     */
    static Result flatOut(Kind kind, Mode mode, int restarts, Options options) throws Exception {
        return run(kind, mode, restarts, true, options);
    }

    private static Result run(Kind kind, Mode mode, int count, boolean flatOut, Options options) throws Exception {
        double warmUp = flatOut ? FLAT_OUT_CLIENT_WARMUP_SECONDS : 0;
        double gap = flatOut ? 0 : options.gapSeconds();
        long bound = (long) (warmUp + options.steadySeconds() + count * (gap + 120) + 60);
        List<RestartTiming> timings = new ArrayList<>();
        String error = null;
        try (Sandbox sandbox = new Sandbox()) {
            try (Server server = kind.server(sandbox, options)) {
                server.start();
                server.settle();
                Path log = sandbox.dir().resolve("load.log");
                if (flatOut) {
                    LoadProcess.warmUp(sandbox, options, mode, server.port(), FLAT_OUT_MAX_WARMUP_SECONDS, log);
                }
                LoadProcess load = flatOut ? LoadProcess.flatOut(sandbox, options, mode, server.port(), warmUp, bound, log)
                        : LoadProcess.start(sandbox, options, mode, server.port(), bound, log);
                double steadyJit = Double.NaN;
                JitShare restartsJit = null;
                try {
                    Poll.pause((long) (warmUp * 1000));
                    JitShare steady = flatOut ? JitShare.start(options.app().jar()) : null;
                    Poll.pause((long) (options.steadySeconds() * 1000)); // the steady phase's length
                    if (steady != null) {
                        steadyJit = steady.stop();
                        restartsJit = JitShare.start(options.app().jar());
                    }
                    if (count > 0) {
                        load.restartsBegin();
                    }
                    for (int i = 1; i <= count; i++) {
                        load.openWindow();
                        try {
                            timings.add(server.restart(Integer.toString(i + 1)));
                        } finally {
                            load.closeWindow();
                        }
                        server.settle();
                        Poll.pause((long) (gap * 1000)); // load between restarts
                    }
                } catch (Exception e) {
                    error = e.getMessage();
                    sandbox.keep();
                }
                double jit = restartsJit == null ? Double.NaN : restartsJit.stop();
                Result result = new Result(kind, mode, load.stop(), timings, server.masterRssKib(), steadyJit, jit, error);
                if (kind == Kind.BATON && result.load().failures() > 0) {
                    sandbox.keep(); // Baton's log and the load's, for whoever investigates
                }
                return result;
            } catch (Exception e) {
                sandbox.keep();
                throw e;
            }
        }
    }
}
