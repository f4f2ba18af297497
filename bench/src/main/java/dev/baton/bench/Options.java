package dev.baton.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The benchmark's command line. Parsing fails with a one-line {@link IllegalArgumentException}. */
record Options(
        double steadySeconds,
        int upgrades,
        int restarts,
        double gapSeconds,
        int connections,
        int slowClients,
        int slowMillis,
        Set<Scenario.Kind> scenarios,
        Set<Mode> modes,
        Path json,
        Path home) {

    static final String USAGE = """
            usage: java -jar bench/target/baton-bench.jar [options]
              --steady S        seconds of steady load per run, before any restart (default 3)
              --upgrades K      Baton hot upgrades per mode (default 20)
              --restarts R      naive and SO_REUSEPORT restarts per mode (default 3)
              --gap S           seconds of load after each restart (default 1)
              --connections N   load clients per run (default 16)
              --slow N          extra clients keeping /slow requests in flight (default 2)
              --slow-ms MS      how long each /slow request takes (default 1000)
              --scenarios LIST  of baton,bare,naive,reuseport (default all)
              --modes LIST      of keep-alive,new-conn (default both)
              --json FILE       where to write the results (default bench-result.json)
              --home DIR        the Baton checkout, with bin/baton and hello.jar built (default: found from the jar)""";

    static Options parse(List<String> args, Path defaultHome) {
        double steady = 3;
        int upgrades = 20;
        int restarts = 3;
        double gap = 1;
        int connections = 16;
        int slow = 2;
        int slowMillis = 1000;
        Set<Scenario.Kind> scenarios = new LinkedHashSet<>(List.of(Scenario.Kind.values()));
        Set<Mode> modes = new LinkedHashSet<>(List.of(Mode.values()));
        Path json = Path.of("bench-result.json");
        Path home = defaultHome;
        for (int i = 0; i < args.size(); i++) {
            String name = args.get(i);
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + name + "' (try --help)");
            }
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args.get(++i);
            switch (name) {
                case "--steady" -> steady = number(name, value, 0.5, 3600);
                case "--upgrades" -> upgrades = (int) whole(name, value, 0, 1000);
                case "--restarts" -> restarts = (int) whole(name, value, 0, 1000);
                case "--gap" -> gap = number(name, value, 0, 600);
                case "--connections" -> connections = (int) whole(name, value, 1, 1000);
                case "--slow" -> slow = (int) whole(name, value, 0, 100);
                case "--slow-ms" -> slowMillis = (int) whole(name, value, 1, 60_000);
                case "--scenarios" -> scenarios = list(name, value, Scenario.Kind::of);
                case "--modes" -> modes = list(name, value, Mode::of);
                case "--json" -> json = Path.of(value);
                case "--home" -> home = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name + " (try --help)");
            }
        }
        if (home == null) {
            throw new IllegalArgumentException("cannot tell where the Baton checkout is: give --home DIR");
        }
        return new Options(steady, upgrades, restarts, gap, connections, slow, slowMillis, scenarios, modes, json,
                home.toAbsolutePath().normalize());
    }

    private static double number(String name, String value, double min, double max) {
        try {
            double parsed = Double.parseDouble(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max + ", got '" + value + "'");
    }

    private static long whole(String name, String value, long min, long max) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    private static <T> Set<T> list(String name, String value, java.util.function.Function<String, T> parse) {
        List<T> items = new ArrayList<>();
        for (String item : value.split(",")) {
            try {
                items.add(parse.apply(item.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }
        return new LinkedHashSet<>(items);
    }
}
