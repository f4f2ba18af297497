package dev.baton.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The benchmark's results as a table for people and as JSON for scripts. */
final class Report {
    private final List<Scenario.Result> results;
    private final Options options;

    Report(List<Scenario.Result> results, Options options) {
        this.results = results;
        this.options = options;
    }

    String table() {
        StringBuilder out = new StringBuilder();
        String row = "%-22s %-10s %8s %10s %9s %7s %7s %9s %8s %8s  %s%n";
        out.append(String.format(row, "scenario", "mode", "restarts", "requests", "req/s", "p50 ms", "p99 ms",
                "p99 in-rs", "max ms", "slow ok", "failed"));
        for (Scenario.Result result : results) {
            LoadResult load = result.load();
            Tally fast = load.fast();
            Tally slow = load.bucket(Bucket.SLOW);
            Tally window = load.bucket(Bucket.WINDOW);
            out.append(String.format(row, result.kind().title, result.mode().label, result.restarts().size(),
                    fast.requests(), String.format(Locale.ROOT, "%.0f", steadyThroughput(load)),
                    millis(fast.latency().percentile(0.50)), millis(load.bucket(Bucket.STEADY).latency().percentile(0.99)),
                    window.requests() == 0 ? "-" : millis(window.latency().percentile(0.99)), millis(fast.latency().max()),
                    slow.count(Outcome.OK) + "/" + slow.requests(), failures(fast, slow)));
            if (result.error() != null) {
                out.append("  stopped early: ").append(result.error()).append('\n');
            }
        }
        out.append("\np50 and max: every request but the slow ones; p99: steady phase; p99 in-rs: requests that\n"
                + "overlapped a restart window (from the restart command until the old server was gone).\n\n");
        for (Mode mode : options.modes()) {
            Double ratio = throughputRatio(mode);
            if (ratio != null) {
                out.append(String.format(Locale.ROOT, "Baton steady-state throughput / bare Undertow, %s: %.3f%n", mode.label, ratio));
            }
        }
        out.append(String.format("%nrestart timings, ms: median (min..max)%n%-22s %-10s %3s  %-20s %-20s %-20s%n",
                "scenario", "mode", "n", "to new version served", "to old server gone", "to handoff (ready)"));
        for (Scenario.Result result : results) {
            List<RestartTiming> timings = result.restarts();
            if (!timings.isEmpty()) {
                out.append(String.format("%-22s %-10s %3d  %-20s %-20s %-20s%n", result.kind().title, result.mode().label,
                        timings.size(), spread(timings, RestartTiming::servingMillis), spread(timings, RestartTiming::oldGoneMillis),
                        result.kind() == Scenario.Kind.BATON ? spread(timings, RestartTiming::readyMillis) : "-"));
            }
        }
        return out.toString();
    }

    Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.runtime.version"));
        machine.put("vm", System.getProperty("java.vm.name"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        root.put("machine", machine);
        root.put("options", Map.of("steadySeconds", options.steadySeconds(), "upgrades", options.upgrades(),
                "restarts", options.restarts(), "gapSeconds", options.gapSeconds(), "connections", options.connections(),
                "slowClients", options.slowClients(), "slowMillis", options.slowMillis()));
        List<Object> runs = new ArrayList<>();
        for (Scenario.Result result : results) {
            runs.add(run(result));
        }
        root.put("runs", runs);
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (Mode mode : options.modes()) {
            ratios.put(mode.label, throughputRatio(mode));
        }
        root.put("batonToBareThroughput", ratios);
        return root;
    }

    private static Map<String, Object> run(Scenario.Result result) {
        LoadResult load = result.load();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("scenario", result.kind().label);
        run.put("mode", result.mode().label);
        run.put("error", result.error());
        run.put("requests", load.fast().requests());
        run.put("failures", load.failures());
        run.put("failuresByKind", kinds(load));
        run.put("steadyRequestsPerSecond", Math.round(steadyThroughput(load)));
        run.put("steadySeconds", load.steadySeconds());
        run.put("restartPhaseSeconds", load.restartSeconds());
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("all", latency(load.fast()));
        latency.put("steady", latency(load.bucket(Bucket.STEADY)));
        latency.put("restartWindows", latency(load.bucket(Bucket.WINDOW)));
        latency.put("slow", latency(load.bucket(Bucket.SLOW)));
        run.put("latencyMillis", latency);
        run.put("versionsServed", new LinkedHashMap<>(load.versions()));
        List<Object> restarts = new ArrayList<>();
        for (RestartTiming timing : result.restarts()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", timing.version());
            entry.put("toNewVersionServedMillis", timing.servingMillis());
            entry.put("toOldGoneMillis", timing.oldGoneMillis());
            entry.put("toHandoffMillis", timing.readyMillis() < 0 ? null : timing.readyMillis());
            restarts.add(entry);
        }
        run.put("restarts", restarts);
        if (!result.restarts().isEmpty()) {
            Map<String, Object> medians = new LinkedHashMap<>();
            medians.put("toNewVersionServedMillis", median(result.restarts(), RestartTiming::servingMillis));
            medians.put("toOldGoneMillis", median(result.restarts(), RestartTiming::oldGoneMillis));
            if (result.kind() == Scenario.Kind.BATON) {
                medians.put("toHandoffMillis", median(result.restarts(), RestartTiming::readyMillis));
            }
            run.put("restartMedians", medians);
        }
        return run;
    }

    private static Map<String, Object> kinds(LoadResult load) {
        Tally all = new Tally();
        all.add(load.fast());
        all.add(load.bucket(Bucket.SLOW));
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

    /** Baton's steady throughput over bare Undertow's in this mode; null unless both ran. */
    private Double throughputRatio(Mode mode) {
        Double baton = null;
        Double bare = null;
        for (Scenario.Result result : results) {
            if (result.mode() == mode && result.kind() == Scenario.Kind.BATON) {
                baton = steadyThroughput(result.load());
            } else if (result.mode() == mode && result.kind() == Scenario.Kind.BARE) {
                bare = steadyThroughput(result.load());
            }
        }
        return baton == null || bare == null || bare == 0 ? null : Math.round(baton / bare * 1000) / 1000.0;
    }

    private static double steadyThroughput(LoadResult load) {
        return load.steadySeconds() == 0 ? 0 : load.bucket(Bucket.STEADY).requests() / load.steadySeconds();
    }

    private static String failures(Tally fast, Tally slow) {
        Tally all = new Tally();
        all.add(fast);
        all.add(slow);
        if (all.failures() == 0) {
            return "0";
        }
        List<String> kinds = new ArrayList<>();
        all.failuresByKind().forEach((kind, count) -> kinds.add(kind.name().toLowerCase(Locale.ROOT) + " " + count));
        return all.failures() + ": " + String.join(", ", kinds);
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
