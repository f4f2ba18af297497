package dev.baton.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What a deploy costs a saturated machine: Baton (2 workers) under flat-out load, its throughput
 * while {@code --upgrading-upgrades} hot upgrades run back to back (each waits until the old
 * master is gone) against its throughput over the {@code --steady} seconds right before, same load
 * process, same run. The new generation's JVMs start on the cores the load and the old generation
 * are using; the ratio says how much of the throughput that takes.
 */
final class FlatOutUpgrades {

    /** One mode's run. */
    record Result(Scenario.Result run) {
        /** Requests per second before the first upgrade. */
        double steady() {
            return run.load().bucket(Bucket.STEADY).requests() / run.load().steadySeconds();
        }

        /** Requests per second from the first upgrade's start until the last one's old master was gone. */
        double upgrading() {
            return upgradingRequests() / run.load().restartSeconds();
        }

        long upgradingRequests() {
            return run.load().bucket(Bucket.WINDOW).requests() + run.load().bucket(Bucket.BETWEEN).requests();
        }

        /** Upgrading over steady; NaN when no upgrade ran. */
        double ratio() {
            return run.restarts().isEmpty() ? Double.NaN : upgrading() / steady();
        }
    }

    private FlatOutUpgrades() {
    }

    static List<Result> run(Options options) throws Exception {
        List<Result> results = new ArrayList<>();
        for (Mode mode : options.modes()) {
            System.err.printf("baton-bench: Baton, %d upgrade%s under flat-out load, %s ...%n", options.upgradingUpgrades(),
                    options.upgradingUpgrades() == 1 ? "" : "s", mode.label);
            results.add(new Result(Scenario.flatOut(Scenario.Kind.BATON, mode, options.upgradingUpgrades(), options)));
        }
        return results;
    }
}
