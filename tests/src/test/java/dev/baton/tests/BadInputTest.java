package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every user mistake: one clear line, a non-zero exit, nothing left running. */
class BadInputTest {
    private static final Duration QUICK = Duration.ofSeconds(20);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    /** Runs baton, expecting it to refuse with a single line containing {@code expected}. */
    private void refused(String expected, String... args) throws Exception {
        Sandbox.Result result = sandbox.run(QUICK, List.of(args));
        assertNotEquals(0, result.exitCode(), "exit status; output:\n" + result.output());
        List<String> lines = result.output().lines().toList();
        assertEquals(1, lines.size(), "exactly one line of output, got:\n" + result.output());
        assertTrue(lines.get(0).startsWith("baton: "), lines.get(0));
        assertTrue(lines.get(0).contains(expected), "'" + expected + "' in: " + lines.get(0));
        assertEquals(List.of(), sandbox.survivors(), "nothing left running");
    }

    private String[] start(String... options) {
        List<String> args = new ArrayList<>(List.of("start"));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    @Test
    void unknownOption() throws Exception {
        refused("unknown option: '--wrkers'", start("--wrkers", "2", "--", "java", "-version"));
    }

    @Test
    void unknownCommand() throws Exception {
        refused("unmatched argument", "strat");
    }

    @Test
    void malformedAddresses() throws Exception {
        refused("malformed address '127.0.0.1': expected host:port", start("--listen", "127.0.0.1", "--", "java"));
        refused("port must be a number from 0 to 65535", start("--listen", "127.0.0.1:99999", "--", "java"));
        refused("expected [ipv6]:port", start("--listen", "[::1]8080", "--", "java"));
        refused("unknown host 'no-such-host.invalid'", start("--listen", "no-such-host.invalid:8080", "--", "java"));
    }

    @Test
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            refused("cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use",
                    start("--listen", "127.0.0.1:" + taken.getLocalPort(), "--", "java", "-jar", App.HELLO.jar().toString()));
        }
    }

    @Test
    void missingOrEmptyWorkerCommand() throws Exception {
        refused("no worker command", start("--listen", "127.0.0.1:0"));
        refused("no worker command", start("--listen", "127.0.0.1:0", "--", ""));
        refused("'no-such-program' is not an executable file on PATH", start("--listen", "127.0.0.1:0", "--", "no-such-program"));
    }

    @Test
    void badNumbers() throws Exception {
        refused("--workers must be from 1 to 256", start("--workers", "0", "--", "java"));
        refused("'--workers': 'two' is not an int", start("--workers", "two", "--", "java"));
        refused("--graceful-timeout: expected a positive number of seconds up to 86400, in whole milliseconds, got 'soon'",
                start("--graceful-timeout", "soon", "--", "java"));
    }

    @Test
    void badOperationsOptions() throws Exception {
        refused("--timeout: expected a positive number of seconds up to 86400, in whole milliseconds, got '0'",
                start("--timeout", "0", "--", "java"));
        refused("--rolling-batch must be from 1 to 256, got 0", start("--rolling-batch", "0", "--", "java"));
        refused("--max-requests must be from 0 to 1000000000000, got -5", start("--max-requests", "-5", "--", "java"));
        refused("--standby: expected on or off, got 'sometimes'", start("--standby", "sometimes", "--", "java"));
        refused("--health-path must start with '/', got 'health'", start("--health-path", "health", "--", "java"));
        refused("--health-delay: expected a number of seconds up to 86400, in whole milliseconds, got '-1'",
                start("--health-delay", "-1", "--", "java"));
        refused("cannot write log /no/such/dir/baton.log: directory /no/such/dir does not exist",
                start("--log", "/no/such/dir/baton.log", "--", "java"));
    }

    @Test
    void durationsOutOfRangeOrFinerThanAMillisecond() throws Exception {
        for (String option : List.of("--timeout", "--boot-timeout", "--graceful-timeout")) {
            for (String value : List.of("99999999999", "0.0001", "1e400", "0.0015")) {
                refused(option + ": expected a positive number of seconds up to 86400, in whole milliseconds, got '"
                        + value + "'", start(option, value, "--", "java"));
            }
        }
        refused("--warmup-requests must be from 0 to 10000, got 20000", start("--warmup-requests", "20000", "--", "java"));
        Path config = sandbox.dir().resolve("baton.conf");
        Files.writeString(config, "timeout = 1e400\ncommand = java\n");
        refused("line 1, key 'timeout': expected a positive number of seconds up to 86400", start("--config", config.toString()));
    }

    @Test
    void pidAndLogFileProblemsAreOneLineBeforeAnythingIsBound() throws Exception {
        String dir = sandbox.dir().toString();
        refused("cannot write pid file " + dir + ": it is a directory",
                start("--listen", "127.0.0.1:0", "--pid", dir, "--", "java", "-jar", App.HELLO.jar().toString()));
        refused("cannot write log " + dir + ": it is a directory",
                start("--listen", "127.0.0.1:0", "--log", dir, "--", "java", "-jar", App.HELLO.jar().toString()));
        refused("cannot write pid file /proc/baton.pid: ",
                start("--listen", "127.0.0.1:0", "--pid", "/proc/baton.pid", "--", "java", "-jar", App.HELLO.jar().toString()));
        Path deep = Files.createDirectories(sandbox.dir().resolve("d".repeat(100)));
        refused("the control socket beside it, " + deep + "/baton.pid.sock, would be over 107 bytes, too long for a Unix socket",
                start("--listen", "127.0.0.1:0", "--pid", deep + "/baton.pid", "--", "java", "-jar", App.HELLO.jar().toString()));
        try (var files = Files.list(sandbox.dir())) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "no .tmp left");
        }
    }

    /** The master spawns its workers before it opens its control socket: a socket it cannot open stops them. */
    @Test
    void aControlSocketThatCannotBeOpenedStopsTheWorkersAlreadyStarted() throws Exception {
        Path pid = sandbox.dir().resolve("baton.pid");
        Files.createDirectories(sandbox.dir().resolve("baton.pid.sock/in-the-way"));
        Sandbox.Result result = sandbox.run(QUICK, List.of("start", "--listen", "127.0.0.1:0", "--workers", "2", "--pid",
                pid.toString(), "--", "java", "-Xmx64m", "-jar", App.HELLO.jar().toString()));
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("cannot open control socket " + pid + ".sock"), result.output());
        assertTrue(result.output().contains("worker 1 (pid"), "the workers were started first:\n" + result.output());
        assertEquals(List.of(), sandbox.survivors(), "nothing left running");
        assertFalse(Files.exists(pid), "no pid file left");
    }

    @Test
    void controlVerbsWithoutAMaster() throws Exception {
        Path pid = sandbox.dir().resolve("baton.pid");
        refused("no running master in pid file " + pid, "status", "--pid", pid.toString());
        refused("which master? give --pid FILE or --config FILE", "stop");
        refused("(N): 'many' is not an int (see 'baton scale --help')", "scale", "many", "--pid", pid.toString());
    }

    @Test
    void unreadableConfig() throws Exception {
        refused("cannot read config " + sandbox.dir().resolve("missing.conf") + ": no such file",
                start("--config", sandbox.dir().resolve("missing.conf").toString()));
        refused("cannot read config " + sandbox.dir(), start("--config", sandbox.dir().toString()));
    }

    @Test
    void malformedConfigNamesTheKey() throws Exception {
        Path config = sandbox.dir().resolve("baton.conf");
        Files.writeString(config, "listen = 127.0.0.1:0\nwokers = 2\ncommand = java -jar app.jar\n");
        refused("line 2: unknown key 'wokers'", start("--config", config.toString()));

        Files.writeString(config, "# workers as words\nworkers = two\ncommand = java -jar app.jar\n");
        refused("line 2, key 'workers': expected a whole number, got 'two'", start("--config", config.toString()));

        Files.writeString(config, "listen = localhost\ncommand = java\n");
        refused("line 1, key 'listen': malformed address 'localhost'", start("--config", config.toString()));

        Files.writeString(config, "command = java -jar 'app.jar\n");
        refused("key 'command': unterminated ' quote", start("--config", config.toString()));

        Files.writeString(config, "workers 2\n");
        refused("line 1: expected 'key = value'", start("--config", config.toString()));
    }

    @Test
    void pidFileOfALiveMasterIsRefusedAndOfADeadOneTakenOver() throws Exception {
        Path pidFile = sandbox.dir().resolve("baton.pid");
        List<String> args = new ArrayList<>(List.of("start", "--listen", "127.0.0.1:0", "--workers", "1",
                "--pid", pidFile.toString(), "--"));
        args.addAll(Sandbox.hello());
        Sandbox.Run first = sandbox.start(args).awaitReady();

        Sandbox.Result second = sandbox.run(QUICK, args);
        assertNotEquals(0, second.exitCode());
        assertEquals(1, second.output().lines().count(), second.output());
        assertTrue(second.output().contains("names a running master (pid " + first.pid() + ")"), second.output());
        assertTrue(first.alive(), "the running master is untouched");
        assertEquals(Integer.toString(first.pid()), Files.readString(pidFile).trim());

        first.signal("KILL");
        first.awaitExit(QUICK);
        // The dead master's pid file stays behind, naming a pid that is gone.
        assertTrue(Files.exists(pidFile));
        Sandbox.Run third = sandbox.start(args).awaitReady();
        third.awaitLog("names pid " + first.pid() + ", which is not a running master: taking it over", QUICK);
        assertEquals(Integer.toString(third.pid()), Files.readString(pidFile).trim());
        third.signal("QUIT");
        assertEquals(0, third.awaitExit(Duration.ofSeconds(30)));
        assertFalse(Files.exists(pidFile));
    }
}
