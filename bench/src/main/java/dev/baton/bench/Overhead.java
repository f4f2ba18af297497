package dev.baton.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The steady-state overhead phase: Baton ({@code --overhead-workers}, default 1) and bare hello
 * (standalone, its own port) both running at once, and flat-out load alternating between them in short rounds. Measured side
 * by side because on a shared machine throughput measured minutes apart compares the neighbours'
 * load, not the servers. The first round's server alternates with the mode, so neither always
 * goes first.
 *
 * <p>Both serve with the same jar, JVM flags and Undertow setup: worker-api's server with
 * Undertow's default sizing per JVM (IO threads = cores, at least 2; 8 request threads per IO
 * thread). With one worker both sides run one such JVM, so the ratio is what supervision costs
 * per request. With two workers on a 2-core machine that also runs the load generator, two JVMs
 * compete for the cores: that measures the deployment, not Baton, and the README says so.
 */
final class Overhead {
    /** An uncounted warm-up per server and mode, so JIT warm-up lands in no measured round. */
    private static final double WARMUP_SECONDS = 1;

    /** One round: which server, and what the load measured. */
    record Round(boolean baton, LoadResult load) {
        long requests() {
            return load.bucket(Bucket.STEADY).requests();
        }

        double seconds() {
            return load.steadySeconds();
        }
    }

    /** One mode's rounds; {@code error} says why they stopped early, null if they did not. */
    record Result(Mode mode, List<Round> rounds, String error) {
        /** Throughput over all of one server's rounds, requests per second. */
        double throughput(boolean baton) {
            return throughput(rounds.stream().filter(r -> r.baton() == baton).toList());
        }

        /** Baton's throughput over bare hello's; NaN without rounds. */
        double ratio() {
            return throughput(true) / throughput(false);
        }

        /** Baton's over bare's for each consecutive pair of rounds: the ratio's spread. */
        List<Double> pairRatios() {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i + 1 < rounds.size(); i += 2) {
                List<Round> pair = rounds.subList(i, i + 2);
                Round baton = pair.get(0).baton() ? pair.get(0) : pair.get(1);
                Round bare = pair.get(0).baton() ? pair.get(1) : pair.get(0);
                ratios.add(throughput(List.of(baton)) / throughput(List.of(bare)));
            }
            return ratios;
        }

        long failures(boolean baton) {
            return rounds.stream().filter(r -> r.baton() == baton).mapToLong(r -> r.load().failures()).sum();
        }

        long batonFailures() {
            return failures(true);
        }

        private static double throughput(List<Round> rounds) {
            return rounds.stream().mapToLong(Round::requests).sum() / rounds.stream().mapToDouble(Round::seconds).sum();
        }
    }

    private Overhead() {
    }

    static List<Result> run(Options options) throws Exception {
        System.err.println("baton-bench: overhead, Baton and bare " + options.app().label + " side by side ...");
        List<Result> results = new ArrayList<>();
        try (Sandbox sandbox = new Sandbox()) {
            BatonServer baton = new BatonServer(sandbox, options.home(), Bench.app(sandbox, options),
                    options.overheadWorkers());
            ProcessServer bare = new ProcessServer(sandbox, Bench.app(sandbox, options), false, "bare");
            try (baton; bare) {
                baton.start();
                bare.start();
                boolean batonFirst = true;
                for (Mode mode : options.modes()) {
                    results.add(rounds(sandbox, options, mode, baton.port(), bare.port(), batonFirst));
                    batonFirst = !batonFirst;
                }
            } catch (Exception e) {
                sandbox.keep();
                throw e;
            }
        }
        return results;
    }

    private static Result rounds(Sandbox sandbox, Options options, Mode mode, int batonPort, int barePort,
            boolean batonFirst) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(sandbox.java(), "-Xmx256m", "-cp", Sandbox.classPath(),
                Main.class.getName(), "rounds", mode.label, Integer.toString(options.connections()),
                Double.toString(WARMUP_SECONDS), Double.toString(options.roundSeconds())));
        for (int i = 0; i < options.rounds(); i++) {
            command.add(Integer.toString(batonFirst == (i % 2 == 0) ? batonPort : barePort));
        }
        List<Round> rounds = new ArrayList<>();
        try {
            Process process = sandbox.builder(command, Map.of())
                    .redirectError(ProcessBuilder.Redirect.appendTo(sandbox.dir().resolve("rounds.log").toFile())).start();
            List<String> block = null;
            int port = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("round ")) {
                        port = Integer.parseInt(line.substring("round ".length()));
                        block = new ArrayList<>();
                    } else if (line.equals("end")) {
                        rounds.add(new Round(port == batonPort, LoadResult.read(block)));
                    } else {
                        block.add(line);
                    }
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || rounds.size() != options.rounds()) {
                throw new IllegalStateException("the rounds process ended after " + rounds.size() + " of "
                        + options.rounds() + " rounds; see " + sandbox.dir().resolve("rounds.log"));
            }
            return new Result(mode, rounds, null);
        } catch (IOException | RuntimeException e) {
            sandbox.keep();
            return new Result(mode, rounds, e.getMessage());
        }
    }
}
