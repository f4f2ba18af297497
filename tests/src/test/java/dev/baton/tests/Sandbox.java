package dev.baton.tests;

import dev.baton.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's world: a temporary directory and a tag every process it starts inherits. After the
 * test, pass or fail, every tagged process is killed and the directory removed, and a test that
 * leaves no process behind is checked to have really left none.
 */
final class Sandbox implements BeforeEachCallback, AfterEachCallback {
    static final Path HOME = Path.of(System.getProperty("baton.home", "..")).toAbsolutePath().normalize();
    static final Path LAUNCHER = HOME.resolve("bin/baton");
    static final Duration START = Duration.ofSeconds(30);
    /** The tag of a test class that .ci/run's second pass, on JDK 25, leaves out: what it proves is not the JDK's. */
    static final String ONCE = "once";
    /**
     * The masters' own class-data archives (bin/baton), shared by the suite's tests as by a
     * machine's services, instead of the user's ~/.cache: the first master trains, later ones map.
     */
    static final Path MASTER_CACHE = HOME.resolve("tests/target/baton-master-cache");
    /**
     * The workers' JVM cache (--jvm-cache) of every master a test starts without choosing one, as
     * one service keeps one across its deploys: the suite trains an archive per worker command
     * once instead of once per test (on JDK 25 each training costs seconds of CPU at exit).
     */
    static final Path WORKER_CACHE = HOME.resolve("tests/target/baton-jvm-cache");

    private String tag;
    private Path dir;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        tag = UUID.randomUUID().toString();
        dir = Files.createTempDirectory("baton-test-");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        Processes.killAll(tag);
        if (context.getExecutionException().isPresent()) {
            // Keep the logs of a failed test where the build output shows them.
            try (Stream<Path> logs = Files.list(dir)) {
                for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                    System.err.println("---- " + log.getFileName() + " ----\n" + Files.readString(log));
                }
            }
        }
        delete(dir);
    }

    /** A directory and everything in it, as far as it can be removed. */
    static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    Path dir() {
        return dir;
    }

    String tag() {
        return tag;
    }

    /** Every process this test started that is still alive. */
    List<Integer> survivors() {
        return Processes.tagged(tag);
    }

    /** The hello example as a worker command, with test-sized JVM flags. */
    static List<String> hello() {
        return App.HELLO.command();
    }

    /** Hello run by {@code java}. */
    static List<String> hello(String java) {
        return App.HELLO.command(java);
    }

    /** Starts {@code bin/baton} with these arguments in the background, logging to a file. */
    Run start(Map<String, String> environment, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(args);
        if (!args.isEmpty() && args.get(0).equals("start") && !args.contains("--config") && !args.contains("--jvm-cache")) {
            command.addAll(2, List.of("--jvm-cache", WORKER_CACHE.toString()));
        }
        return launch(environment, command);
    }

    /** Starts any command (one that runs {@code bin/baton} in the end) in the background, tagged, logging to a file. */
    Run launch(Map<String, String> environment, List<String> command) throws IOException {
        return launchIn(dir, environment, command);
    }

    /** As {@link #launch}, in {@code directory} (as a shell would start it there: {@code $PWD} as given). */
    Run launchIn(Path directory, Map<String, String> environment, List<String> command) throws IOException {
        Path log = Files.createTempFile(dir, "baton-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("BATON_MASTER_CACHE", MASTER_CACHE.toString());
        builder.environment().putAll(environment);
        builder.environment().put(Processes.TAG, tag);
        builder.environment().put("PWD", directory.toString());
        return new Run(builder.start(), log);
    }

    Run start(List<String> args) throws IOException {
        return start(Map.of(), args);
    }

    /** Runs {@code bin/baton} to completion (bounded), capturing its output. */
    Result run(Duration within, List<String> args) throws IOException, InterruptedException {
        Run run = start(Map.of(), args);
        int code = run.awaitExit(within);
        return new Result(code, run.log());
    }

    record Result(int exitCode, String output) {
    }

    /** A running {@code bin/baton}. */
    static final class Run {
        private final Process process;
        private final Path log;

        Run(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        int pid() {
            return (int) process.pid();
        }

        String log() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The first match of {@code regex} in the log, waiting for it to appear. */
        Matcher awaitLog(String regex, Duration within) {
            Pattern pattern = Pattern.compile(regex);
            return Poll.until("log line /" + regex + "/ in:\n" + log(), within, () -> {
                Matcher matcher = pattern.matcher(log());
                return matcher.find() ? matcher : null;
            });
        }

        /** How many times {@code regex} occurs in the log so far. */
        long count(String regex) {
            return Pattern.compile(regex).matcher(log()).results().count();
        }

        int port() {
            return Integer.parseInt(awaitLog("listening on 127\\.0\\.0\\.1:(\\d+)", START).group(1));
        }

        /** Waits until the master reports all its workers ready. */
        Run awaitReady() {
            awaitLog("master gen 1: all \\d+ workers ready", START);
            return this;
        }

        int awaitExit(Duration within) throws InterruptedException {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("baton (pid " + pid() + ") still running after " + within.toMillis()
                        + " ms; log:\n" + log());
            }
            return process.exitValue();
        }

        boolean alive() {
            return process.isAlive();
        }

        void signal(String signal) {
            Processes.signal(pid(), signal);
        }
    }
}
