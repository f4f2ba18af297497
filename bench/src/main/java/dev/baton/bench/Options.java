package dev.baton.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The benchmark's command line. Parsing fails with a one-line {@link IllegalArgumentException}. */
record Options(
        int rounds,
        double roundSeconds,
        int overheadWorkers,
        int idleUpgrades,
        double steadySeconds,
        int upgrades,
        int upgradingUpgrades,
        int restarts,
        double gapSeconds,
        int connections,
        double rate,
        int slowClients,
        int slowMillis,
        Set<Scenario.Kind> scenarios,
        Set<Mode> modes,
        Path json,
        Path home,
        App app,
        Path java) {

    static final String USAGE = """
            usage: java -jar bench/target/baton-bench.jar [options]
              --rounds N        overhead phase: flat-out rounds per mode, alternating Baton and bare
                                hello, an even number; nginx, where it is installed (or, as root, can
                                be), runs as many as Baton; 0 skips the phase (default 6)
              --round S         seconds per overhead round (default 2)
              --overhead-workers N  Baton's workers in the overhead phase (default 2, as issue 13's
                                targets have it; 1 runs one JVM against bare hello's one, so the
                                ratio is what supervision alone costs)
              --idle-upgrades N Baton upgrades with no load, timed; 0 skips them (default 5). They run with
                                Baton's speed-ups (the workers' JVM cache, the master's archive and
                                the standby master) on, on with a new copy of the jar at every
                                upgrade (a new build: no JVM cache for it yet) and off, each beside
                                N cold 'java -jar hello.jar'
              --java PATH       also run the idle upgrades with workers on this java (e.g. a JDK 25)
              --steady S        seconds of load per restart run before any restart, paced or, before the
                                upgrades under flat-out load, flat out (default 2)
              --upgrades K      Baton hot upgrades per mode (default 10: 20 in all, within 5 minutes)
              --upgrading-upgrades N  Baton hot upgrades per mode back to back under flat-out load, their
                                throughput set against the --steady seconds before; 0 skips them (default 2)
              --restarts R      naive and SO_REUSEPORT restarts per mode (default 3)
              --gap S           seconds of load after each restart (default 0.5)
              --connections N   load clients per run (default 16)
              --rate R          requests per second of those clients together in the restart runs
                                (default 1000); the overhead phase always runs flat out
              --slow N          extra clients keeping /slow requests in flight in the restart runs (default 2)
              --slow-ms MS      how long each /slow request takes (default 1000)
              --scenarios LIST  restart runs, of baton,naive,reuseport (default all)
              --modes LIST      of keep-alive,new-conn (default both)
              --app NAME        the example served, of hello,spring-boot,jetty,netty: examples/NAME/target/NAME.jar
                                (default hello); the SO_REUSEPORT baseline is always hello on Undertow
              --json FILE       where to write the results (default bench-result.json)
              --home DIR        the Baton checkout, with bin/baton and the app's jar built (default: found from the jar)""";

    static Options parse(List<String> args, Path defaultHome) {
        int rounds = 6;
        double round = 2;
        int overheadWorkers = 2;
        int idleUpgrades = 5;
        double steady = 2;
        int upgrades = 10;
        int upgradingUpgrades = 2;
        int restarts = 3;
        double gap = 0.5;
        int connections = 16;
        double rate = 1000;
        int slow = 2;
        int slowMillis = 1000;
        Set<Scenario.Kind> scenarios = new LinkedHashSet<>(List.of(Scenario.Kind.values()));
        Set<Mode> modes = new LinkedHashSet<>(List.of(Mode.values()));
        Path json = Path.of("bench-result.json");
        Path home = defaultHome;
        App app = App.HELLO;
        Path java = null;
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
                case "--rounds" -> rounds = (int) whole(name, value, 0, 1000);
                case "--round" -> round = number(name, value, 0.5, 600);
                case "--overhead-workers" -> overheadWorkers = (int) whole(name, value, 1, 16);
                case "--idle-upgrades" -> idleUpgrades = (int) whole(name, value, 0, 1000);
                case "--steady" -> steady = number(name, value, 0.5, 3600);
                case "--upgrades" -> upgrades = (int) whole(name, value, 0, 1000);
                case "--upgrading-upgrades" -> upgradingUpgrades = (int) whole(name, value, 0, 1000);
                case "--restarts" -> restarts = (int) whole(name, value, 0, 1000);
                case "--gap" -> gap = number(name, value, 0, 600);
                case "--connections" -> connections = (int) whole(name, value, 1, 1000);
                case "--rate" -> rate = number(name, value, 1, 1_000_000);
                case "--slow" -> slow = (int) whole(name, value, 0, 100);
                case "--slow-ms" -> slowMillis = (int) whole(name, value, 1, 60_000);
                case "--scenarios" -> scenarios = list(name, value, Scenario.Kind::of);
                case "--modes" -> modes = list(name, value, Mode::of);
                case "--json" -> json = Path.of(value);
                case "--home" -> home = Path.of(value);
                case "--app" -> app = App.of(value);
                case "--java" -> java = executable(name, value);
                default -> throw new IllegalArgumentException("unknown option " + name + " (try --help)");
            }
        }
        if (rounds % 2 != 0) {
            throw new IllegalArgumentException("--rounds must be even: each Baton round is paired with a bare one");
        }
        if (home == null) {
            throw new IllegalArgumentException("cannot tell where the Baton checkout is: give --home DIR");
        }
        return new Options(rounds, round, overheadWorkers, idleUpgrades, steady, upgrades, upgradingUpgrades, restarts, gap, connections, rate, slow, slowMillis, scenarios, modes, json,
                home.toAbsolutePath().normalize(), app, java);
    }

    private static Path executable(String name, String value) {
        Path path = Path.of(value).toAbsolutePath();
        if (!Files.isExecutable(path) || Files.isDirectory(path)) {
            throw new IllegalArgumentException(name + ": '" + value + "' is not an executable file");
        }
        return path;
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
