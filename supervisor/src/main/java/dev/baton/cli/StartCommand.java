package dev.baton.cli;

import dev.baton.control.ControlServer;
import dev.baton.master.Handoff;
import dev.baton.master.Inheritance;
import dev.baton.master.Master;
import dev.baton.master.PidFile;
import dev.baton.master.Settings;
import dev.baton.master.Standby;
import dev.baton.master.StartContext;
import dev.baton.master.StartupSteps;
import dev.baton.net.ListenAddress;
import dev.baton.net.Listener;
import dev.baton.signals.SignalMask;
import dev.baton.systemd.SocketActivation;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "start", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a master in the foreground, logging to stderr: it binds the listeners, "
                + "spawns the workers and keeps them serving until QUIT (graceful) or TERM/INT (quick)."},
        footer = {"", "Options given here win over the config file; the config file wins over defaults."})
final class StartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Address to listen on, IPv4 (127.0.0.1:8080) or IPv6 ([::1]:8080); port 0 picks a free one. "
                    + "Repeatable. Default: 127.0.0.1:8080.")
    List<String> listen;

    @Option(names = "--workers", paramLabel = "N", description = "Number of worker processes. Default: 2.")
    Integer workers;

    @Option(names = "--pid", paramLabel = "FILE",
            description = "Pid file, written once the listeners are bound; FILE.oldbin holds the old master during an upgrade.")
    Path pid;

    @Option(names = "--graceful-timeout", paramLabel = "SECONDS",
            description = "How long a stopping worker may take to finish in-flight requests before SIGKILL. Default: 30.")
    String gracefulTimeout;

    @Option(names = "--boot-timeout", paramLabel = "SECONDS",
            description = "How long a new worker may take to report ready; a new generation not ready by then is rolled back. "
                    + "Default: 60.")
    String bootTimeout;

    @Option(names = "--handoff", paramLabel = "auto|manual",
            description = "After USR2: 'auto' stops the old generation once every new worker is ready; 'manual' waits for "
                    + "QUIT to the old master. Default: auto.")
    String handoff;

    @Option(names = "--standby", paramLabel = "on|off",
            description = "Keep the next master started and parked, so an upgrade (USR2) starts no master JVM of its own: "
                    + "about 300 ms less per deploy, for about 45 MB of memory. Default: on.")
    String standby;

    @Option(names = "--warmup-path", paramLabel = "PATH",
            description = "Before a worker takes traffic, it sends --warmup-requests GET requests for PATH to itself.")
    String warmupPath;

    @Option(names = "--warmup-requests", paramLabel = "N", description = "Warm-up requests per worker. Default: 100 with --warmup-path.")
    Integer warmupRequests;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "A ready worker whose request threads make no progress this long (a deadlock, a stuck GC, "
                    + "SIGSTOP) is hung: it gets a thread dump if it can still print one, then SIGKILL, and is replaced. "
                    + "Default: 60.")
    String timeout;

    @Option(names = "--max-requests", paramLabel = "N",
            description = "Replace a worker after about N requests (up to 10%% more, so workers do not recycle together); "
                    + "its replacement is ready before it drains. Default: 0 (never).")
    Long maxRequests;

    @Option(names = "--max-rss", paramLabel = "MIB",
            description = "Replace a worker whose resident memory exceeds MIB mebibytes, spawn before drain. Default: 0 (never).")
    Long maxRss;

    @Option(names = "--rolling-batch", paramLabel = "N",
            description = "How many workers a reload (HUP) or a recycle replaces at once. Default: 1.")
    Integer rollingBatch;

    @Option(names = "--health-path", paramLabel = "PATH",
            description = "Path every worker answers for load balancers: 200 while serving, 503 once the node is stopping.")
    String healthPath;

    @Option(names = "--health-delay", paramLabel = "SECONDS",
            description = "On a graceful stop, how long the health path reports 503 before workers stop accepting, so "
                    + "load balancers take the node out first. Default: 0.")
    String healthDelay;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Append the master's and the workers' output to FILE instead of stderr; USR1 reopens it (logrotate).")
    Path log;

    @Option(names = "--jvm-cache", paramLabel = "DIR|off",
            description = "Directory of the class-data sharing archives Baton trains from one generation's java workers "
                    + "and gives the next (a faster worker start), or 'off'. Default: beside the pid file (baton.pid: "
                    + "baton.jvm-cache); off without --pid.")
    String jvmCache;

    @Option(names = "--verbose-startup",
            description = "Log where the master's start-up went, step by step, from its exec to its first worker's spawn "
                    + "(also in status as startup_ms).")
    boolean verboseStartup;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file of 'key = value' lines with these options' names (listen, workers, pid, ...) and "
                    + "'command = <worker command>'. Re-read on every upgrade (USR2) and reload (HUP).")
    Path config;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The worker command, after '--': any command line that runs an app built on worker-api, "
                    + "e.g. -- java -Xmx256m -jar app.jar")
    List<String> command;

    @Override
    public Integer call() {
        StartupSteps.verbose(verboseStartup);
        StartupSteps.mark("cli");
        Optional<Inheritance> inheritance = Inheritance.fromEnvironment();
        SocketActivation activation = inheritance.isPresent() ? SocketActivation.none() : SocketActivation.fromEnvironment();
        List<String> argv = new ArrayList<>();
        String launcher = System.getenv("BATON_LAUNCHER");
        argv.add(launcher != null ? launcher : "baton");
        argv.addAll(spec.commandLine().getParseResult().originalArgs());
        List<Listener> listeners = new ArrayList<>();
        Standby.Wakeup wakeup = Standby.Wakeup.NONE;
        Master master;
        try {
            HashSet<Integer> keep = new HashSet<>(inheritance.map(Inheritance::fds).orElse(List.of()));
            keep.addAll(activation.fds());
            keep.addAll(Standby.fds());
            SignalMask.ensure(keep);
            StartupSteps.mark("native binding and signal mask");
            if (inheritance.isPresent()) {
                inheritance.get().listenerFds().forEach(fd -> listeners.add(Listener.adopt(fd)));
                StartupSteps.mark("inherited listeners");
                // A standby waits here for its upgrade: the config file is read after, as by any new master.
                wakeup = Standby.parkIfStandby(inheritance.get(), argv, this::settings);
            }
            Settings settings = settings();
            StartupSteps.mark("settings");
            if (inheritance.isEmpty()) {
                refuseLiveMaster(settings.pidFile());
                listeners.addAll(activation.listeners(settings.listen()));
                StartupSteps.mark("listeners");
            }
            master = new Master(settings, this::settings, listeners, StartContext.of(argv), inheritance.orElse(null));
            wakeup.confirm();
        } catch (RuntimeException e) {
            // A stale standby leaves the upgrade to a master started afresh, which may read the config as this one cannot.
            wakeup.confirm();
            // A new master that cannot start tells the old one why; the old one keeps serving.
            inheritance.ifPresent(i -> i.reportFailure(e.getMessage()));
            throw e;
        }
        return master.run();
    }

    private Settings settings() {
        ConfigFile file = config == null ? null : ConfigFile.read(config);
        List<ListenAddress> addresses = new ArrayList<>();
        List<String> listenSpecs = listen != null ? listen : file != null && !file.all("listen").isEmpty()
                ? file.all("listen") : List.of("127.0.0.1:8080");
        for (String spec : listenSpecs) {
            try {
                addresses.add(ListenAddress.parse(spec));
            } catch (IllegalArgumentException e) {
                throw new UserError((listen == null && file != null ? file.origin("listen") + ": " : "") + e.getMessage());
            }
        }
        int workerCount = Tunable.WORKERS.intValue(workers, file);
        Path pidFile = pid != null ? pid : file != null && file.get("pid") != null ? Path.of(file.get("pid")) : null;
        if (pidFile != null) {
            pidFile = pidFile.toAbsolutePath();
            checkWritable("pid file", pidFile);
            Path socket = ControlServer.pathFor(pidFile);
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length > ControlServer.MAX_PATH_BYTES) {
                throw new UserError("cannot use pid file " + pidFile + ": the control socket beside it, " + socket
                        + ", would be over " + ControlServer.MAX_PATH_BYTES + " bytes, too long for a Unix socket: "
                        + "choose a shorter path");
            }
        }
        Duration graceful = Tunable.GRACEFUL_TIMEOUT.duration(gracefulTimeout, file);
        Duration boot = Tunable.BOOT_TIMEOUT.duration(bootTimeout, file);
        Handoff handoffMode = choice("handoff", handoff, file, "auto", Handoff.AUTO, "manual", Handoff.MANUAL);
        boolean standbyOn = choice("standby", standby, file, "on", true, "off", false);
        String warmup = warmupPath != null ? warmupPath : file != null ? file.get("warmup-path") : null;
        if (warmup != null && !warmup.startsWith("/")) {
            throw new UserError("--warmup-path must start with '/', got '" + warmup + "'");
        }
        int warmupCount = Tunable.WARMUP_REQUESTS.intValue(warmupRequests, file);
        Duration hung = Tunable.TIMEOUT.duration(timeout, file);
        long requestLimit = Tunable.MAX_REQUESTS.value(maxRequests, file);
        long rssLimit = Tunable.MAX_RSS.value(maxRss, file);
        int batch = Tunable.ROLLING_BATCH.intValue(rollingBatch, file);
        String health = healthPath != null ? healthPath : file != null ? file.get("health-path") : null;
        if (health != null && !health.startsWith("/")) {
            throw new UserError("--health-path must start with '/', got '" + health + "'");
        }
        Duration healthWait = Tunable.HEALTH_DELAY.duration(healthDelay, file);
        Path logFile = log != null ? log : file != null && file.get("log") != null ? Path.of(file.get("log")) : null;
        if (logFile != null) {
            logFile = logFile.toAbsolutePath();
            checkWritable("log", logFile);
        }
        return new Settings(addresses, workerCount, pidFile, graceful, boot, hung, handoffMode, standbyOn, warmup, warmupCount,
                requestLimit, rssLimit, batch, health, healthWait, logFile, jvmCacheDir(file, pidFile), workerCommand(file));
    }

    /**
     * An option that is one of two words, given on the command line, else in the config file, else
     * the first (the default).
     */
    private static <T> T choice(String key, String given, ConfigFile file, String first, T firstValue, String second,
                                T secondValue) {
        String text = given != null ? given : file != null && file.get(key) != null ? file.get(key) : first;
        String word = text.toLowerCase(Locale.ROOT);
        if (!word.equals(first) && !word.equals(second)) {
            throw new UserError((given == null ? file.origin(key) + ": " : "--" + key + ": ") + "expected " + first + " or "
                    + second + ", got '" + text + "'");
        }
        return word.equals(first) ? firstValue : secondValue;
    }

    /** A directory that cannot be written is no reason not to serve: the master logs it and workers start without. */
    private Path jvmCacheDir(ConfigFile file, Path pidFile) {
        String given = jvmCache != null ? jvmCache : file != null ? file.get("jvm-cache") : null;
        if (given == null) {
            return Settings.jvmCacheBeside(pidFile);
        }
        if (given.isBlank()) {
            throw new UserError((jvmCache != null ? "--jvm-cache" : file.origin("jvm-cache")) + ": expected a directory or 'off'");
        }
        return given.equals("off") ? null : Path.of(given).toAbsolutePath().normalize();
    }

    private List<String> workerCommand(ConfigFile file) {
        List<String> words = command;
        String origin = "worker command";
        if ((words == null || words.isEmpty()) && file != null && file.get("command") != null) {
            origin = file.origin("command");
            try {
                words = Words.split(file.get("command"));
            } catch (IllegalArgumentException e) {
                throw new UserError(origin + ": " + e.getMessage());
            }
        }
        if (words == null || words.isEmpty() || words.get(0).isBlank()) {
            throw new UserError("no worker command: give one after '--' (e.g. baton start -- java -jar app.jar) "
                    + "or as 'command = ...' in --config");
        }
        String program = words.get(0);
        if (!executable(program)) {
            throw new UserError(origin + ": '" + program + "' is not an executable file"
                    + (program.contains("/") ? "" : " on PATH"));
        }
        return words;
    }

    private static boolean executable(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program)) && !Files.isDirectory(Path.of(program));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return true;
            }
        }
        return false;
    }

    private static void refuseLiveMaster(Path pidFile) {
        if (pidFile == null) {
            return;
        }
        OptionalInt live = PidFile.liveMaster(pidFile);
        if (live.isPresent()) {
            throw new IllegalArgumentException("pid file " + pidFile + " names a running master (pid " + live.getAsInt()
                    + "): stop it first, upgrade it with 'baton upgrade', or choose another --pid");
        }
        OptionalInt stale = PidFile.read(pidFile);
        if (stale.isPresent()) {
            System.err.println("baton: pid file " + pidFile + " names pid " + stale.getAsInt()
                    + ", which is not a running master: taking it over");
        }
    }

    /**
     * Checked before anything is bound or started, by creating a file beside it as the master
     * will: a directory, a missing directory or a read-only place is one line now, not a stack
     * trace later.
     */
    private static void checkWritable(String what, Path file) {
        String problem = "cannot write " + what + " " + file + ": ";
        if (!Files.isDirectory(file.getParent())) {
            throw new UserError(problem + "directory " + file.getParent() + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new UserError(problem + "it is a directory");
        }
        Path probe = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.deleteIfExists(probe);
            Files.createFile(probe);
            Files.delete(probe);
            if (Files.exists(file) && !Files.isWritable(file)) {
                throw new UserError(problem + "permission denied");
            }
        } catch (java.io.IOException e) {
            throw new UserError(problem + (e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : e.getClass().getSimpleName()));
        }
    }
}
