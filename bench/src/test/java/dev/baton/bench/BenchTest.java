package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's short version: 3 hot upgrades under paced load in each mode, slow requests in
 * flight, and not one request may fail. Paced, as in the full run, so the upgrades take seconds,
 * not the tens of seconds they take on a machine the load saturates. Then the smallest run of
 * the upgrades under flat-out load: one, keep-alive. Every process a run starts is killed by its
 * sandbox, pass or fail.
 */
class BenchTest {
    private static final Path HOME = Path.of(System.getProperty("baton.home", "..")).toAbsolutePath().normalize();

    @Test
    void threeUpgradesUnderLoadFailNoRequestInEitherMode() throws Exception {
        Options options = Options.parse(List.of("--rounds", "0", "--idle-upgrades", "0", "--scenarios", "baton",
                "--upgrades", "3", "--upgrading-upgrades", "0", "--steady", "1", "--gap", "1", "--connections", "4",
                "--rate", "400", "--slow", "2", "--slow-ms", "1000", "--home", HOME.toString()), null);
        long start = System.nanoTime();
        Bench.Results results = Bench.run(options);
        String table = new Report(results, options, Duration.ofNanos(System.nanoTime() - start)).table();
        assertEquals(2, results.scenarios().size(), table);
        for (Scenario.Result result : results.scenarios()) {
            String run = result.mode().label + ":\n" + table;
            assertNull(result.error(), run);
            assertEquals(0, result.load().failures(), "failed requests, " + run);
            assertEquals(3, result.restarts().size(), run);
            assertTrue(result.load().bucket(Bucket.SLOW).count(Outcome.OK) > 0, "slow requests served, " + run);
            assertTrue(result.load().bucket(Bucket.WINDOW).count(Outcome.OK) > 0, "requests during upgrades, " + run);
            assertTrue(result.load().versions().keySet().containsAll(List.of("1", "2", "3", "4")),
                    "every version served: " + result.load().versions() + ", " + run);
            assertTrue(result.masterRssKib() > 0, "the last master's resident memory, " + run);
            assertTrue(table.contains(String.format(java.util.Locale.ROOT, "%s after 3 upgrades %,d KiB", result.mode().label,
                    result.masterRssKib())), run);
        }
    }

    @Test
    void anUpgradeUnderFlatOutLoadFailsNoRequest() throws Exception {
        Options options = Options.parse(List.of("--upgrading-upgrades", "1", "--modes", "keep-alive", "--steady", "1",
                "--connections", "4", "--home", HOME.toString()), null);
        long start = System.nanoTime();
        List<FlatOutUpgrades.Result> upgrading = FlatOutUpgrades.run(options);
        String table = new Report(new Bench.Results(List.of(), upgrading, List.of(), List.of()), options,
                Duration.ofNanos(System.nanoTime() - start)).table();
        assertEquals(1, upgrading.size(), table);
        Scenario.Result result = upgrading.get(0).run();
        assertNull(result.error(), table);
        assertEquals(0, result.load().failures(), "failed requests:\n" + table);
        assertEquals(1, result.restarts().size(), table);
        assertTrue(result.load().bucket(Bucket.STEADY).count(Outcome.OK) > 0, "requests before the upgrade:\n" + table);
        assertTrue(upgrading.get(0).upgradingRequests() > 0, "requests during the upgrade:\n" + table);
        assertTrue(result.load().versions().containsKey("2"), "the new version served under load:\n" + table);
        // The new generation's workers compile the application during the upgrade, on this machine's cores.
        assertTrue(result.restartsJit() > 0 && result.restartsJit() < 1, "the JIT's share while upgrading:\n" + table);
        assertTrue(result.steadyJit() >= 0 && result.steadyJit() < 1, "the JIT's share in the steady seconds:\n" + table);
    }
}
