package dev.baton.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The benchmark's results as a table for people and as JSON for scripts. */
final class Report {
    private final Bench.Results results;
    private final Options options;
    private final Duration elapsed;

    Report(Bench.Results results, Options options, Duration elapsed) {
        this.results = results;
        this.options = options;
        this.elapsed = elapsed;
    }

    String table() {
        StringBuilder out = new StringBuilder();
        if (!results.overhead().isEmpty()) {
            overheadTable(out);
        }
        if (!results.upgrading().isEmpty()) {
            upgradingTable(out);
        }
        if (!results.scenarios().isEmpty()) {
            restartTable(out);
        }
        timingsTable(out);
        idleTable(out);
        out.append(String.format(Locale.ROOT, "%ntotal time: %.0f s%n", elapsed.toMillis() / 1000.0));
        return out.toString();
    }

    private void overheadTable(StringBuilder out) {
        boolean nginx = results.overhead().stream().anyMatch(r -> r.sides().contains(Overhead.Side.NGINX));
        out.append(String.format(Locale.ROOT, "steady-state overhead: flat-out load, %d round%s of %.1f s per mode and server,"
                + " alternating between Baton (%d worker%s), bare %s and nginx (%s)%n", options.rounds() / 2,
                options.rounds() == 2 ? "" : "s", options.roundSeconds(),
                options.overheadWorkers(), options.overheadWorkers() == 1 ? "" : "s", options.app().label,
                nginx ? NginxServer.workers() + " workers, the same body" : "not installed"));
        String row = "%-10s %11s %10s %11s %10s  %-12s  %-25s  %s%n";
        out.append(String.format(row, "mode", "Baton req/s", "bare req/s", "nginx req/s", "Baton/bare", "per group",
                String.format("%11s  %-12s", "Baton/nginx", "per group"), "failed"));
        for (Overhead.Result result : results.overhead()) {
            boolean ran = result.sides().contains(Overhead.Side.NGINX);
            List<String> failed = new ArrayList<>();
            for (Overhead.Side side : Overhead.Side.values()) {
                if (result.sides().contains(side)) {
                    failed.add(side.label + " " + failures(overheadTally(result, side)));
                }
            }
            out.append(String.format(row, result.mode().label, rate(result.throughput(Overhead.Side.BATON)),
                    rate(result.throughput(Overhead.Side.BARE)), ran ? rate(result.throughput(Overhead.Side.NGINX)) : "-",
                    ratio(result.ratio(Overhead.Side.BARE)), spread(result.groupRatios(Overhead.Side.BARE)),
                    ran ? String.format("%11s  %-12s", ratio(result.ratio(Overhead.Side.NGINX)),
                            spread(result.groupRatios(Overhead.Side.NGINX))) : Nginx.NOT_INSTALLED,
                    String.join(", ", failed)));
            if (result.error() != null) {
                out.append("  stopped early: ").append(result.error()).append('\n');
            }
        }
        out.append('\n');
    }

    /** The lowest and highest of the per-group ratios: a wide spread means the machine was noisy. */
    private static String spread(List<Double> ratios) {
        return ratios.isEmpty() ? "-" : ratio(Collections.min(ratios)) + ".." + ratio(Collections.max(ratios));
    }

    private void upgradingTable(StringBuilder out) {
        out.append(String.format(Locale.ROOT, "throughput while upgrading: flat-out load from %d clients on Baton (2 workers), %d hot"
                + " upgrades back to back per mode, against the %.1f s of flat-out load right before%n", options.connections(),
                options.upgradingUpgrades(), options.steadySeconds()));
        String row = "%-10s %8s %12s %15s %16s %11s %10s %13s  %s%n";
        out.append(String.format(row, "mode", "upgrades", "steady req/s", "upgrading req/s", "upgrading/steady", "upgrading s",
                "JIT steady", "JIT upgrading", "failed"));
        for (FlatOutUpgrades.Result result : results.upgrading()) {
            LoadResult load = result.run().load();
            out.append(String.format(Locale.ROOT, row, result.run().mode().label, result.run().restarts().size(),
                    rate(result.steady()), rate(result.upgrading()), ratio(result.ratio()),
                    String.format(Locale.ROOT, "%.1f", load.restartSeconds()), percent(result.run().steadyJit()),
                    percent(result.run().restartsJit()), failures(load.all())));
            if (result.run().error() != null) {
                out.append("  stopped early: ").append(result.run().error()).append('\n');
            }
        }
        out.append('\n');
    }

    private void restartTable(StringBuilder out) {
        out.append(String.format(Locale.ROOT, "restarts under paced load: %.0f req/s over %d clients, plus %d clients"
                + " keeping a %d ms /slow request in flight%n", options.rate(), options.connections(), options.slowClients(),
                options.slowMillis()));
        String row = "%-22s %-10s %8s %10s %9s %7s %7s %9s %8s %8s  %s%n";
        out.append(String.format(row, "scenario", "mode", "restarts", "requests", "req/s", "p50 ms", "p99 ms",
                "p99 in-rs", "max ms", "slow ok", "failed"));
        for (Scenario.Result result : results.scenarios()) {
            LoadResult load = result.load();
            Tally fast = load.fast();
            Tally slow = load.bucket(Bucket.SLOW);
            Tally window = load.bucket(Bucket.WINDOW);
            out.append(String.format(row, result.kind().title, result.mode().label, result.restarts().size(),
                    fast.requests(), rate(pacedThroughput(load)),
                    millis(fast.latency().percentile(0.50)), millis(load.bucket(Bucket.STEADY).latency().percentile(0.99)),
                    window.requests() == 0 ? "-" : millis(window.latency().percentile(0.99)), millis(fast.latency().max()),
                    slow.count(Outcome.OK) + "/" + slow.requests(), failures(load.all())));
            if (result.error() != null) {
                out.append("  stopped early: ").append(result.error()).append('\n');
            }
        }
        out.append("\nreq/s: the rate achieved (below --rate if the clients fell behind). p50 and max: every request\n"
                + "but the slow ones; p99: steady phase; p99 in-rs: requests that overlapped a restart window\n"
                + "(from the restart command until the old server was gone).\n\n");
    }

    private void timingsTable(StringBuilder out) {
        List<String> rows = new ArrayList<>();
        String row = "%-27s %-21s %3s  %-20s %-20s %s%n";
        for (IdleUpgrades.Result idle : results.idle()) {
            if (!idle.timings().isEmpty()) {
                rows.add(String.format(row, "idle, " + idle.jdk(), "speed-ups " + idle.variant().label,
                        idle.timings().size(),
                        spread(idle.timings(), RestartTiming::servingMillis),
                        spread(idle.timings(), RestartTiming::oldGoneMillis),
                        spread(idle.timings(), RestartTiming::readyMillis)));
            }
        }
        for (FlatOutUpgrades.Result result : results.upgrading()) {
            List<RestartTiming> timings = result.run().restarts();
            if (!timings.isEmpty()) {
                rows.add(String.format(row, "Baton, flat-out load", result.run().mode().label, timings.size(),
                        spread(timings, RestartTiming::servingMillis), spread(timings, RestartTiming::oldGoneMillis),
                        spread(timings, RestartTiming::readyMillis)));
            }
        }
        for (Scenario.Result result : results.scenarios()) {
            List<RestartTiming> timings = result.restarts();
            if (!timings.isEmpty()) {
                rows.add(String.format(row, result.kind().title, result.mode().label, timings.size(),
                        spread(timings, RestartTiming::servingMillis), spread(timings, RestartTiming::oldGoneMillis),
                        result.kind() == Scenario.Kind.BATON ? spread(timings, RestartTiming::readyMillis) : "-"));
            }
        }
        for (IdleUpgrades.Result idle : results.idle()) {
            if (idle.error() != null) {
                rows.add("  idle upgrades (" + idle.java() + ", speed-ups " + idle.variant().label
                        + ") stopped early: " + idle.error() + "\n");
            }
        }
        if (!rows.isEmpty()) {
            out.append(String.format("restart timings, ms: median (min..max)%n" + row,
                    "scenario", "mode", "n", "to new version served", "to old server gone", "to handoff (ready)"));
            rows.forEach(out::append);
        }
        List<String> masters = new ArrayList<>();
        for (Scenario.Result result : results.scenarios()) {
            if (result.masterRssKib() >= 0) {
                masters.add(String.format(Locale.ROOT, "%s after %d upgrades %,d KiB", result.mode().label,
                        result.restarts().size(), result.masterRssKib()));
            }
        }
        if (!masters.isEmpty()) {
            out.append("Baton's master, resident (VmRSS, as status's rss_kib): ").append(String.join("; ", masters)).append('\n');
        }
    }

    /** Each idle upgrade series beside a cold start of the same JVM, the yardstick a deploy without Baton has. */
    private void idleTable(StringBuilder out) {
        if (results.idle().isEmpty()) {
            return;
        }
        String row = "%-24s %-12s %-20s %-20s %s%n";
        out.append(String.format("%nidle upgrades, 2 workers: USR2 to the new version served, against a cold 'java -jar %s.jar'"
                + " to its first response (same JVM, same run), ms: median (min..max)%n", options.app().label));
        out.append(String.format(row, "worker JVM", "speed-ups", "upgrade", "cold java -jar", "upgrade/cold"));
        for (IdleUpgrades.Result idle : results.idle()) {
            long upgrade = idle.timings().isEmpty() ? -1 : median(idle.timings(), RestartTiming::servingMillis);
            long cold = idle.coldMillis().isEmpty() ? -1 : medianOf(idle.coldMillis());
            out.append(String.format(Locale.ROOT, row, idle.jdk(), idle.variant().label,
                    idle.timings().isEmpty() ? "-" : spread(idle.timings(), RestartTiming::servingMillis),
                    idle.coldMillis().isEmpty() ? "-" : medianOf(idle.coldMillis()) + " (" + Collections.min(idle.coldMillis())
                            + ".." + Collections.max(idle.coldMillis()) + ")",
                    upgrade < 0 || cold <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) upgrade / cold)));
        }
    }

    private static long medianOf(List<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.runtime.version"));
        machine.put("vm", System.getProperty("java.vm.name"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        root.put("machine", machine);
        Map<String, Object> chosen = new LinkedHashMap<>();
        chosen.put("app", options.app().label);
        chosen.put("rounds", options.rounds());
        chosen.put("roundSeconds", options.roundSeconds());
        chosen.put("overheadWorkers", options.overheadWorkers());
        chosen.put("idleUpgrades", options.idleUpgrades());
        chosen.put("java", options.java() == null ? null : options.java().toString());
        chosen.put("steadySeconds", options.steadySeconds());
        chosen.put("upgrades", options.upgrades());
        chosen.put("upgradingUpgrades", options.upgradingUpgrades());
        chosen.put("restarts", options.restarts());
        chosen.put("gapSeconds", options.gapSeconds());
        chosen.put("connections", options.connections());
        chosen.put("rate", options.rate());
        chosen.put("slowClients", options.slowClients());
        chosen.put("slowMillis", options.slowMillis());
        root.put("options", chosen);
        root.put("elapsedSeconds", elapsed.toMillis() / 1000.0);
        List<Object> overhead = new ArrayList<>();
        for (Overhead.Result result : results.overhead()) {
            overhead.add(overhead(result));
        }
        root.put("overhead", overhead);
        List<Object> upgrading = new ArrayList<>();
        for (FlatOutUpgrades.Result result : results.upgrading()) {
            Map<String, Object> entry = run(result.run());
            entry.remove("scenario");
            entry.put("steadyRequestsPerSecond", Math.round(result.steady()));
            entry.put("upgradingRequestsPerSecond", Math.round(result.upgrading()));
            entry.put("upgradingToSteady", rounded(result.ratio()));
            entry.put("jitShareSteady", rounded(result.run().steadyJit()));
            entry.put("jitShareUpgrading", rounded(result.run().restartsJit()));
            upgrading.add(entry);
        }
        root.put("upgradingUnderFlatOutLoad", upgrading);
        List<Object> idles = new ArrayList<>();
        for (IdleUpgrades.Result result : results.idle()) {
            Map<String, Object> idle = new LinkedHashMap<>();
            idle.put("java", result.java());
            idle.put("speedUps", result.variant().speedUps);
            idle.put("newJarEachUpgrade", result.variant().newJar);
            idle.put("error", result.error());
            idle.put("upgrades", timings(result.timings()));
            idle.put("medians", medians(result.timings(), true));
            idle.put("coldStartMillis", result.coldMillis());
            idle.put("coldStartMedianMillis", result.coldMillis().isEmpty() ? null : medianOf(result.coldMillis()));
            idles.add(idle);
        }
        root.put("idleUpgrades", idles);
        List<Object> runs = new ArrayList<>();
        for (Scenario.Result result : results.scenarios()) {
            runs.add(run(result));
        }
        root.put("runs", runs);
        return root;
    }

    private static Map<String, Object> overhead(Overhead.Result result) {
        boolean nginx = result.sides().contains(Overhead.Side.NGINX);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("mode", result.mode().label);
        entry.put("error", result.error());
        entry.put("batonRequestsPerSecond", Math.round(result.throughput(Overhead.Side.BATON)));
        entry.put("bareRequestsPerSecond", Math.round(result.throughput(Overhead.Side.BARE)));
        entry.put("batonToBare", rounded(result.ratio(Overhead.Side.BARE)));
        entry.put("pairRatios", result.groupRatios(Overhead.Side.BARE).stream().map(Report::rounded).toList());
        entry.put("nginx", nginx ? "installed" : "not installed");
        entry.put("nginxRequestsPerSecond", nginx ? Math.round(result.throughput(Overhead.Side.NGINX)) : null);
        entry.put("batonToNginx", nginx ? rounded(result.ratio(Overhead.Side.NGINX)) : null);
        entry.put("nginxPairRatios", result.groupRatios(Overhead.Side.NGINX).stream().map(Report::rounded).toList());
        List<Object> rounds = new ArrayList<>();
        for (Overhead.Round round : result.rounds()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("server", round.side().name().toLowerCase(Locale.ROOT));
            item.put("requests", round.requests());
            item.put("seconds", round.seconds());
            item.put("failuresByKind", kinds(round.load().fast()));
            item.put("latencyMillis", latency(round.load().fast()));
            rounds.add(item);
        }
        entry.put("rounds", rounds);
        return entry;
    }

    private static Map<String, Object> run(Scenario.Result result) {
        LoadResult load = result.load();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("scenario", result.kind().label);
        run.put("mode", result.mode().label);
        run.put("error", result.error());
        run.put("requests", load.fast().requests());
        run.put("failures", load.failures());
        run.put("failuresByKind", kinds(load.all()));
        run.put("requestsPerSecond", Math.round(pacedThroughput(load)));
        run.put("steadySeconds", load.steadySeconds());
        run.put("restartPhaseSeconds", load.restartSeconds());
        run.put("masterRssKib", result.masterRssKib() < 0 ? null : result.masterRssKib());
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("all", latency(load.fast()));
        latency.put("steady", latency(load.bucket(Bucket.STEADY)));
        latency.put("restartWindows", latency(load.bucket(Bucket.WINDOW)));
        latency.put("slow", latency(load.bucket(Bucket.SLOW)));
        run.put("latencyMillis", latency);
        run.put("versionsServed", new LinkedHashMap<>(load.versions()));
        run.put("restarts", timings(result.restarts()));
        run.put("restartMedians", medians(result.restarts(), result.kind() == Scenario.Kind.BATON));
        return run;
    }

    private static List<Object> timings(List<RestartTiming> timings) {
        List<Object> entries = new ArrayList<>();
        for (RestartTiming timing : timings) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", timing.version());
            entry.put("toNewVersionServedMillis", timing.servingMillis());
            entry.put("toOldGoneMillis", timing.oldGoneMillis());
            entry.put("toHandoffMillis", timing.readyMillis() < 0 ? null : timing.readyMillis());
            entries.add(entry);
        }
        return entries;
    }

    /** Null without timings; the handoff only where there is one (Baton). */
    private static Map<String, Object> medians(List<RestartTiming> timings, boolean handoff) {
        if (timings.isEmpty()) {
            return null;
        }
        Map<String, Object> medians = new LinkedHashMap<>();
        medians.put("toNewVersionServedMillis", median(timings, RestartTiming::servingMillis));
        medians.put("toOldGoneMillis", median(timings, RestartTiming::oldGoneMillis));
        if (handoff) {
            medians.put("toHandoffMillis", median(timings, RestartTiming::readyMillis));
        }
        return medians;
    }

    private static Map<String, Object> kinds(Tally all) {
        Map<String, Object> kinds = new LinkedHashMap<>();
        all.failuresByKind().forEach((kind, count) -> kinds.put(kind.name().toLowerCase(Locale.ROOT), count));
        return kinds;
    }

    private static Map<String, Object> latency(Tally tally) {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("requests", tally.requests());
        latency.put("failures", tally.failures());
        latency.put("p50", tally.latency().percentile(0.50) / 1000.0);
        latency.put("p99", tally.latency().percentile(0.99) / 1000.0);
        latency.put("max", tally.latency().max() / 1000.0);
        return latency;
    }

    /** The load's rate over the whole run, steady phase and restarts: the pacing as achieved. */
    private static double pacedThroughput(LoadResult load) {
        double seconds = load.steadySeconds() + load.restartSeconds();
        return seconds == 0 ? 0 : load.fast().requests() / seconds;
    }

    /** Every failure of one side's overhead rounds in this mode. */
    private static Tally overheadTally(Overhead.Result result, Overhead.Side side) {
        Tally all = new Tally();
        result.rounds().stream().filter(r -> r.side() == side).forEach(r -> all.add(r.load().fast()));
        return all;
    }

    private static String failures(Tally all) {
        if (all.failures() == 0) {
            return "0";
        }
        List<String> kinds = new ArrayList<>();
        all.failuresByKind().forEach((kind, count) -> kinds.add(kind.name().toLowerCase(Locale.ROOT) + " " + count));
        return all.failures() + ": " + String.join(", ", kinds);
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.3f", ratio);
    }

    /** A share (0 to 1) as a percentage; "-" where nothing was measured. */
    private static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f%%", share * 100) : "-";
    }

    /** Three decimals, as the table shows it; null (JSON) where there was nothing to divide. */
    private static Double rounded(double ratio) {
        return Double.isFinite(ratio) ? Math.round(ratio * 1000) / 1000.0 : null;
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    private static String spread(List<RestartTiming> timings, ToLongFunction<RestartTiming> field) {
        long[] values = timings.stream().mapToLong(field).sorted().toArray();
        return median(timings, field) + " (" + values[0] + ".." + values[values.length - 1] + ")";
    }

    private static long median(List<RestartTiming> timings, ToLongFunction<RestartTiming> field) {
        long[] values = timings.stream().mapToLong(field).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
