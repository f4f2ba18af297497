package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs every chosen scenario in every chosen mode, one after the other, and reports. */
final class Bench {
    static final String HELLO_JAR = "examples/hello/target/hello.jar";
    private static final String SUPERVISOR_JAR = "supervisor/target/baton.jar";

    private Bench() {
    }

    static List<Scenario.Result> run(Options options) throws Exception {
        for (String built : List.of(HELLO_JAR, SUPERVISOR_JAR, "bin/baton")) {
            if (!Files.exists(options.home().resolve(built))) {
                throw new IllegalArgumentException(options.home().resolve(built)
                        + " is missing: build first with 'mvn -q -B package -DskipTests' in " + options.home());
            }
        }
        List<Scenario.Result> results = new ArrayList<>();
        for (Scenario.Kind kind : options.scenarios()) {
            for (Mode mode : options.modes()) {
                System.err.printf("baton-bench: %s, %s ...%n", kind.title, mode.label);
                results.add(Scenario.run(kind, mode, options));
            }
        }
        return results;
    }

    static void write(Report report, Path json) throws IOException {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(json, Json.write(report.json()));
    }
}
