package dev.baton.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar baton-bench.jar [options]} runs the benchmark. The same jar is also each helper
 * process it starts: {@code load ...} (the load generator), {@code rounds ...} (the overhead
 * phase's load), {@code warm ...} (a {@link WarmUp}) and {@code reuseport-hello} (the
 * SO_REUSEPORT baseline's server).
 *
 * <p>Exit status: 0 when the run completed and Baton failed no request, 1 otherwise (or on a
 * runtime error), 2 for a usage mistake.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        if (!arguments.isEmpty() && arguments.get(0).equals("load")) {
            LoadGenerator.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (!arguments.isEmpty() && arguments.get(0).equals("rounds")) {
            OverheadRounds.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (!arguments.isEmpty() && arguments.get(0).equals("warm")) {
            WarmUp.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (!arguments.isEmpty() && arguments.get(0).equals("reuseport-hello")) {
            ReusePortHello.run();
            return;
        }
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.println(Options.USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(arguments, checkout());
        } catch (IllegalArgumentException e) {
            System.err.println("baton-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        long start = System.nanoTime();
        try {
            Bench.Results results = Bench.run(options);
            Report report = new Report(results, options, Duration.ofNanos(System.nanoTime() - start));
            System.out.print(report.table());
            Bench.write(report, options.json());
            System.out.println("\nresults: " + options.json().toAbsolutePath());
            long batonFailures = results.batonFailures();
            if (batonFailures > 0 || results.incomplete()) {
                System.err.println("baton-bench: " + (batonFailures > 0 ? "Baton failed " + batonFailures + " request(s)" : "a run stopped early"));
                System.exit(1);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("baton-bench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The checkout this jar was built in: bench/target/baton-bench.jar is two levels below it. */
    private static Path checkout() {
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path home = jar.getParent() == null ? null : jar.getParent().getParent();
            home = home == null ? null : home.getParent();
            return home != null && Files.exists(home.resolve("bin/baton")) ? home : null;
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
    }
}
