package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the phases one after the other: the overhead rounds, the upgrades under flat-out load, the
 * idle upgrades, then every chosen restart scenario in every chosen mode.
 */
final class Bench {
    private static final String SUPERVISOR_JAR = "supervisor/target/baton.jar";

    /** Everything one run measured; a phase that was skipped has an empty list. */
    record Results(List<Overhead.Result> overhead, List<FlatOutUpgrades.Result> upgrading, List<IdleUpgrades.Result> idle,
            List<Scenario.Result> scenarios) {
        /** Requests Baton failed, in any phase. */
        long batonFailures() {
            return overhead.stream().mapToLong(Overhead.Result::batonFailures).sum()
                    + upgrading.stream().mapToLong(r -> r.run().load().failures()).sum()
                    + scenarios.stream().filter(r -> r.kind() == Scenario.Kind.BATON).mapToLong(r -> r.load().failures()).sum();
        }

        /** Whether a phase stopped early. */
        boolean incomplete() {
            return overhead.stream().anyMatch(r -> r.error() != null) || upgrading.stream().anyMatch(r -> r.run().error() != null)
                    || idle.stream().anyMatch(r -> r.error() != null) || scenarios.stream().anyMatch(r -> r.error() != null);
        }
    }

    private Bench() {
    }

    static Results run(Options options) throws Exception {
        for (String built : List.of(options.app().jar(), SUPERVISOR_JAR, "bin/baton")) {
            if (!Files.exists(options.home().resolve(built))) {
                throw new IllegalArgumentException(options.home().resolve(built)
                        + " is missing: build first with 'mvn -q -B package -DskipTests' in " + options.home());
            }
        }
        List<Overhead.Result> overhead = options.rounds() == 0 ? List.of() : Overhead.run(options);
        List<FlatOutUpgrades.Result> upgrading = options.upgradingUpgrades() == 0 ? List.of() : FlatOutUpgrades.run(options);
        List<IdleUpgrades.Result> idle = options.idleUpgrades() == 0 ? List.of() : IdleUpgrades.run(options);
        List<Scenario.Result> scenarios = new ArrayList<>();
        for (Scenario.Kind kind : options.scenarios()) {
            for (Mode mode : options.modes()) {
                System.err.printf("baton-bench: %s, %s ...%n", kind.title, mode.label);
                scenarios.add(Scenario.run(kind, mode, options));
            }
        }
        return new Results(overhead, upgrading, idle, scenarios);
    }

    /** The chosen example as the README runs it: the same jar and JVM flags wherever it serves. */
    static List<String> app(Sandbox sandbox, Options options) {
        return options.app().command(sandbox.java(), options.home());
    }

    static void write(Report report, Path json) throws IOException {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(json, Json.write(report.json()));
    }
}
