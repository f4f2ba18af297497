package dev.baton.bench;

import dev.baton.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * hello under {@code bin/baton start}, with a given number of workers, upgraded the way a deploy script would: a new
 * {@code HELLO_VERSION} in the config file, then {@code bin/baton upgrade --wait}.
 */
final class BatonServer implements Server {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration UPGRADE = Duration.ofSeconds(90);
    private static final Pattern LISTENING = Pattern.compile("master gen 1: listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern READY = Pattern.compile("master gen 1: all \\d+ workers ready");
    private static final Pattern UPGRADED =
            Pattern.compile("upgraded: old=\\d+ new=\\d+ ms=(\\d+) \\(old master gone after (\\d+) ms\\)");

    private final Sandbox sandbox;
    private final Path launcher;
    private final List<String> worker;
    private final int workers;
    private final boolean speedUps;
    private final boolean newJarEachUpgrade;
    private final Path config;
    private final Path pidFile;
    private final Path log;
    private int port;

    BatonServer(Sandbox sandbox, Path home, List<String> worker, int workers) {
        this(sandbox, home, worker, workers, true, false);
    }

    /**
     * {@code speedUps}: whether Baton speeds up its upgrades, as it does by default: the workers'
     * JVM cache beside the pid file, the masters' own class-data archive (bin/baton's, in
     * ~/.cache/baton), and the standby master. {@code newJarEachUpgrade}: whether every version
     * ships its own copy of the jar, as a deploy of a new build does, which no JVM cache has seen.
     */
    BatonServer(Sandbox sandbox, Path home, List<String> worker, int workers, boolean speedUps,
                boolean newJarEachUpgrade) {
        this.sandbox = sandbox;
        this.speedUps = speedUps;
        this.newJarEachUpgrade = newJarEachUpgrade;
        this.launcher = home.resolve("bin/baton");
        this.worker = worker;
        this.workers = workers;
        this.config = sandbox.dir().resolve("baton.conf");
        this.pidFile = sandbox.dir().resolve("baton.pid");
        this.log = sandbox.dir().resolve("baton.log");
    }

    @Override
    public void start() throws IOException {
        configure("1");
        // A new master inherits its old master's environment, so this holds for every generation.
        Map<String, String> environment = speedUps ? Map.of() : Map.of("BATON_MASTER_CACHE", "off");
        Process master = sandbox.start(List.of(launcher.toString(), "start", "--config", config.toString()), environment, log);
        try {
            Poll.until("Baton's workers ready", START, () -> {
                if (!master.isAlive()) {
                    throw new IllegalStateException("bin/baton start exited with status " + master.exitValue() + "; log:\n" + log());
                }
                return READY.matcher(log()).find() ? Boolean.TRUE : null;
            });
        } catch (AssertionError timedOut) {
            // The sandbox and its log go when the benchmark ends: say what the log said.
            throw new IllegalStateException(timedOut.getMessage() + "; log:\n" + log());
        }
        Matcher listening = LISTENING.matcher(log());
        if (!listening.find()) {
            throw new IllegalStateException("no 'listening on' line in " + log);
        }
        port = Integer.parseInt(listening.group(1));
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public RestartTiming restart(String version) throws Exception {
        configure(version);
        long oldMaster = masterPid();
        Process upgrade = sandbox.builder(List.of(launcher.toString(), "upgrade", "--pid", pidFile.toString(), "--wait",
                "--timeout", Long.toString(UPGRADE.toSeconds() - 10)), Map.of()).redirectErrorStream(true).start();
        long served = -1;
        try {
            served = VersionProbe.awaitServed(port, version, UPGRADE, () -> !upgrade.isAlive() && upgrade.exitValue() != 0);
        } catch (IllegalStateException e) {
            upgrade.destroy();
        }
        String output = new String(upgrade.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (served < 0 || !upgrade.waitFor(UPGRADE.toSeconds(), TimeUnit.SECONDS) || upgrade.exitValue() != 0) {
            throw new IllegalStateException("upgrade to version " + version + " failed: " + output);
        }
        Matcher upgraded = UPGRADED.matcher(output);
        if (!upgraded.find()) {
            throw new IllegalStateException("unexpected output from bin/baton upgrade: " + output);
        }
        long usr2 = usr2Taken(oldMaster);
        return new RestartTiming(version, served - usr2, Long.parseLong(upgraded.group(2)), Long.parseLong(upgraded.group(1)));
    }

    /** When the old master took USR2 or the upgrade request, from its log line (the same wall clock as the probe's). */
    private long usr2Taken(long oldMaster) {
        Matcher line = Pattern.compile("(?m)^(\\S+) baton\\[" + oldMaster + "\\] .*(USR2|upgrade request).*: (started new|woke standby) master").matcher(log());
        if (!line.find()) {
            throw new IllegalStateException("master " + oldMaster + " logged no upgrade in " + log);
        }
        return Instant.parse(line.group(1)).toEpochMilli();
    }

    /** Until the master's standby has parked; at once with the speed-ups off. */
    @Override
    public void settle() throws IOException {
        if (!speedUps) {
            return;
        }
        Pattern parked = Pattern.compile("baton\\[" + masterPid() + "\\] master gen \\d+: standby master \\(pid \\d+\\) parked");
        Poll.until("standby master parked", START, () -> parked.matcher(log()).find() ? Boolean.TRUE : null);
    }

    @Override
    public long masterRssKib() {
        try {
            Matcher rss = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB").matcher(Files.readString(Path.of("/proc/" + masterPid() + "/status")));
            return rss.find() ? Long.parseLong(rss.group(1)) : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** QUIT to the current master: its workers drain and it exits. */
    @Override
    public void close() throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        long master = masterPid();
        Pids.signal(master, "QUIT");
        Poll.until("master " + master + " gone after QUIT", Duration.ofSeconds(40), () -> Pids.alive(master) ? null : Boolean.TRUE);
    }

    private long masterPid() throws IOException {
        return Long.parseLong(Files.readString(pidFile).trim());
    }

    private void configure(String version) throws IOException {
        Files.write(config, List.of(
                "listen = 127.0.0.1:0",
                "workers = " + workers,
                "pid = " + pidFile,
                "jvm-cache = " + (speedUps ? pidFile.resolveSibling("baton.jvm-cache") : "off"),
                "standby = " + (speedUps ? "on" : "off"),
                "command = env HELLO_VERSION=" + version + " " + String.join(" ", newJarEachUpgrade ? release(version) : worker)));
    }

    /** The worker command with its jar copied to releases/VERSION/ first: a new file, as a new build's is. */
    private List<String> release(String version) throws IOException {
        List<String> command = new ArrayList<>(worker);
        int jar = command.indexOf("-jar") + 1;
        if (jar == 0) {
            throw new IllegalArgumentException("no -jar in the worker command " + worker);
        }
        Path built = Path.of(command.get(jar));
        Path shipped = sandbox.dir().resolve("releases").resolve(version).resolve(built.getFileName());
        Files.createDirectories(shipped.getParent());
        Files.copy(built, shipped, StandardCopyOption.REPLACE_EXISTING);
        command.set(jar, shipped.toString());
        return command;
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
