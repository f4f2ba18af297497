package dev.baton.bench;

import dev.baton.testing.Http;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The steady-state overhead phase: Baton ({@code --overhead-workers}, default 2), bare hello
 * (standalone, its own port) and nginx (the machine's ceiling, when it is installed or can be) all
 * running at once, and flat-out load alternating between them in short rounds, after each has been
 * warmed up until its throughput stopped rising ({@link WarmUp}). Measured side by side because on
 * a shared machine throughput measured minutes apart compares the neighbours' load, not the
 * servers. Each group of rounds runs each server once; the order rotates with the mode, so no
 * server always goes first.
 *
 * <p>Baton and bare serve with the same jar, JVM flags and Undertow setup: worker-api's server with
 * Undertow's default sizing per JVM (IO threads = cores, at least 2; 8 request threads per IO
 * thread). With two workers, Baton runs two such JVMs against bare's one on the same cores; with
 * one, both sides run one, so the ratio is what supervision alone costs per request. nginx
 * answers with the bare app's own body, so every response is the same size.
 */
final class Overhead {
    /**
     * An uncounted warm-up per server and mode, until its throughput stops rising and at most this
     * long, so JIT warm-up lands in no measured round (see {@link OverheadRounds}).
     */
    private static final double MAX_WARMUP_SECONDS = 15;

    /** Who serves a round. */
    enum Side {
        BATON("Baton"),
        BARE("bare"),
        NGINX("nginx");

        final String label;

        Side(String label) {
            this.label = label;
        }
    }

    /** One round: which server, and what the load measured. */
    record Round(Side side, LoadResult load) {
        long requests() {
            return load.bucket(Bucket.STEADY).requests();
        }

        double seconds() {
            return load.steadySeconds();
        }
    }

    /**
     * One mode's rounds, in groups of one round per side; {@code error} says why they stopped
     * early, null if they did not.
     */
    record Result(Mode mode, List<Side> sides, List<Round> rounds, String error) {
        /** Throughput over all of one side's rounds, requests per second; NaN without rounds. */
        double throughput(Side side) {
            return throughput(rounds.stream().filter(r -> r.side() == side).toList());
        }

        /** Baton's throughput over {@code other}'s; NaN without rounds. */
        double ratio(Side other) {
            return throughput(Side.BATON) / throughput(other);
        }

        /** Baton's over {@code other}'s within each group of rounds: the ratio's spread; empty if {@code other} never ran. */
        List<Double> groupRatios(Side other) {
            List<Double> ratios = new ArrayList<>();
            if (!sides.contains(other)) {
                return ratios;
            }
            for (int i = 0; i + sides.size() <= rounds.size(); i += sides.size()) {
                List<Round> group = rounds.subList(i, i + sides.size());
                ratios.add(throughput(group.stream().filter(r -> r.side() == Side.BATON).toList())
                        / throughput(group.stream().filter(r -> r.side() == other).toList()));
            }
            return ratios;
        }

        long failures(Side side) {
            return rounds.stream().filter(r -> r.side() == side).mapToLong(r -> r.load().failures()).sum();
        }

        long batonFailures() {
            return failures(Side.BATON);
        }

        private static double throughput(List<Round> rounds) {
            return rounds.stream().mapToLong(Round::requests).sum() / rounds.stream().mapToDouble(Round::seconds).sum();
        }
    }

    private Overhead() {
    }

    static List<Result> run(Options options) throws Exception {
        System.err.println("baton-bench: overhead, Baton, bare " + options.app().label + " and nginx side by side ...");
        List<Result> results = new ArrayList<>();
        try (Sandbox sandbox = new Sandbox()) {
            BatonServer baton = new BatonServer(sandbox, options.home(), Bench.app(sandbox, options),
                    options.overheadWorkers());
            ProcessServer bare = new ProcessServer(sandbox, Bench.app(sandbox, options), false, "bare");
            NginxServer nginx = Nginx.findOrInstall(sandbox).map(path -> new NginxServer(sandbox, path)).orElse(null);
            try (baton; bare; nginx) {
                baton.start();
                bare.start();
                Map<Side, Integer> ports = new EnumMap<>(Side.class);
                ports.put(Side.BATON, baton.port());
                ports.put(Side.BARE, bare.port());
                if (nginx != null) {
                    nginx.start(Http.get(bare.port(), "/").body());
                    ports.put(Side.NGINX, nginx.port());
                }
                int first = 0;
                for (Mode mode : options.modes()) {
                    results.add(rounds(sandbox, options, mode, ports, first++));
                }
            } catch (Exception e) {
                sandbox.keep();
                throw e;
            }
        }
        return results;
    }

    /** {@code --rounds / 2} groups, each side once per group, starting with side {@code first}. */
    private static Result rounds(Sandbox sandbox, Options options, Mode mode, Map<Side, Integer> ports, int first)
            throws InterruptedException {
        List<Side> sides = new ArrayList<>(ports.keySet());
        Collections.rotate(sides, -(first % sides.size()));
        List<String> command = sandbox.loadCommand("rounds", mode.label, Integer.toString(options.connections()),
                Double.toString(MAX_WARMUP_SECONDS), Double.toString(options.roundSeconds()));
        Map<Integer, Side> byPort = new HashMap<>();
        for (int group = 0; group < options.rounds() / 2; group++) {
            for (Side side : sides) {
                command.add(Integer.toString(ports.get(side)));
                byPort.put(ports.get(side), side);
            }
        }
        int expected = options.rounds() / 2 * sides.size();
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
                        rounds.add(new Round(byPort.get(port), LoadResult.read(block)));
                    } else {
                        block.add(line);
                    }
                }
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || rounds.size() != expected) {
                throw new IllegalStateException("the rounds process ended after " + rounds.size() + " of "
                        + expected + " rounds; see " + sandbox.dir().resolve("rounds.log"));
            }
            return new Result(mode, sides, rounds, null);
        } catch (IOException | RuntimeException e) {
            sandbox.keep();
            return new Result(mode, sides, rounds, e.getMessage());
        }
    }
}
