package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Baton under systemd, without systemd as pid 1: a test socket stands in for NOTIFY_SOCKET and
 * checks each message's sender as systemd would, systemd-socket-activate hands over a listening
 * socket, and systemd-analyze checks the example unit files.
 */
class SystemdTest {
    private static final Duration UPGRADE = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(30);
    /** Every datagram a process sent is queued before it exits; this only bounds reading them. */
    private static final Duration DRAIN = Duration.ofMillis(300);
    private static final Path SOCKET_ACTIVATE = Path.of("/usr/bin/systemd-socket-activate");
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Path config;
    private Path pidFile;

    private void configure(String version, String... extra) throws IOException {
        config = sandbox.dir().resolve("baton.conf");
        pidFile = sandbox.dir().resolve("baton.pid");
        List<String> lines = new ArrayList<>(List.of("listen = 127.0.0.1:0", "workers = 2", "pid = " + pidFile,
                "graceful-timeout = 20", "command = env HELLO_VERSION=" + version + " " + String.join(" ", Sandbox.hello())));
        lines.addAll(List.of(extra));
        Files.write(config, lines);
    }

    private Sandbox.Run startUnder(NotifyReceiver systemd) throws IOException {
        configure("1");
        return sandbox.start(Map.of("NOTIFY_SOCKET", systemd.address()), List.of("start", "--config", config.toString()));
    }

    private Sandbox.Result upgrade() throws Exception {
        return sandbox.run(UPGRADE, List.of("upgrade", "--pid", pidFile.toString(), "--wait", "--timeout", "50"));
    }

    private static List<String> tags(List<NotifyReceiver.Message> messages) {
        return messages.stream().map(NotifyReceiver.Message::tags).toList();
    }

    private static Set<Integer> senders(List<NotifyReceiver.Message> messages) {
        return Set.copyOf(messages.stream().map(NotifyReceiver.Message::pid).toList());
    }

    @Test
    void aMasterSaysReadyOnceItsWorkersAreAndStoppingOnQuit() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.abstractNamed("baton-test-" + sandbox.tag())) {
            Sandbox.Run baton = startUnder(systemd);
            NotifyReceiver.Message ready = systemd.await("READY=1", Sandbox.START);
            assertEquals("generation 1: 2 of 2 workers ready", ready.status());
            assertEquals(200, Http.get(baton.port(), "/").status(), "serving once READY=1 is said");

            baton.signal("QUIT");
            assertEquals(0, baton.awaitExit(STOP));
            systemd.listen(DRAIN);
            assertEquals(List.of("READY=1", "STOPPING=1"), tags(systemd.lifecycle()));
            assertEquals(Set.of(baton.pid()), senders(systemd.received()), "every message from the master itself");
            systemd.received().forEach(m -> assertTrue(m.status() != null && m.status().startsWith("generation 1: "), m.text()));
            String stopping = systemd.lifecycle().get(1).status();
            assertTrue(stopping.matches("generation 1: \\d of 2 workers ready; stopping: QUIT from pid \\d+"), stopping);
        }
    }

    @Test
    void anUpgradeIsAReloadThatEndsWithTheNewMasterAsMainPid() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.at(sandbox.dir().resolve("notify"))) {
            Sandbox.Run baton = startUnder(systemd);
            systemd.await("READY=1", Sandbox.START);
            int old = baton.pid();

            configure("2");
            // HotSpot's System.nanoTime() on Linux is CLOCK_MONOTONIC, the clock of MONOTONIC_USEC.
            long before = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
            Sandbox.Result result = upgrade();
            long after = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
            assertEquals(0, result.exitCode(), result.output());
            int next = Integer.parseInt(Files.readString(pidFile).trim());
            assertEquals(0, baton.awaitExit(STOP), "old master exits after the handoff");
            assertEquals("2", Http.get(baton.port(), "/").version());

            Processes.signal(next, "QUIT");
            systemd.await("STOPPING=1", STOP);
            Processes.awaitGone(next, STOP);
            systemd.listen(DRAIN);

            List<NotifyReceiver.Message> lifecycle = systemd.lifecycle();
            assertEquals(4, lifecycle.size(), lifecycle.toString());
            assertEquals("READY=1", lifecycle.get(0).tags());
            assertEquals(old, lifecycle.get(0).pid());

            NotifyReceiver.Message reloading = lifecycle.get(1);
            assertTrue(reloading.tags().matches("RELOADING=1\nMONOTONIC_USEC=\\d+"), reloading.text());
            long monotonic = Long.parseLong(reloading.tags().replaceAll("(?s).*MONOTONIC_USEC=(\\d+).*", "$1"));
            assertTrue(before <= monotonic && monotonic <= after, before + " <= " + monotonic + " <= " + after);
            assertEquals(old, reloading.pid(), "RELOADING=1 from the old master");
            assertEquals("generation 1: 2 of 2 workers ready; upgrading to generation 2", reloading.status());

            NotifyReceiver.Message takeOver = lifecycle.get(2);
            assertEquals("MAINPID=" + next + "\nREADY=1", takeOver.tags());
            assertEquals(next, takeOver.pid(), "MAINPID= from the new master itself");
            assertEquals("generation 2: 2 of 2 workers ready", takeOver.status());

            assertEquals("STOPPING=1", lifecycle.get(3).tags());
            assertEquals(next, lifecycle.get(3).pid());
            // Whatever the old master said after the handoff would reach systemd as the main process's word.
            int takeOverAt = systemd.received().indexOf(takeOver);
            assertEquals(Set.of(next), senders(systemd.received().subList(takeOverAt, systemd.received().size())),
                    "nothing from the old master once the new one is main: " + systemd.received());
        }
    }

    @Test
    void aRolledBackUpgradeEndsTheReloadWithReadyFromTheOldMaster() throws Exception {
        try (NotifyReceiver systemd = NotifyReceiver.at(sandbox.dir().resolve("notify"))) {
            Sandbox.Run baton = startUnder(systemd);
            systemd.await("READY=1", Sandbox.START);
            Files.write(config, List.of("listen = 127.0.0.1:0", "workers = 2", "pid = " + pidFile, "command = sh -c 'exit 3'"));
            Sandbox.Result result = upgrade();
            assertEquals(1, result.exitCode(), result.output());
            NotifyReceiver.Message again = systemd.await("READY=1", STOP);
            assertTrue(again.status().startsWith("generation 1: 2 of 2 workers ready; last upgrade failed: worker "), again.text());

            baton.signal("TERM");
            assertEquals(0, baton.awaitExit(STOP));
            systemd.listen(DRAIN);
            List<String> tags = tags(systemd.lifecycle());
            assertEquals(4, tags.size(), tags.toString());
            assertEquals("READY=1", tags.get(0));
            assertTrue(tags.get(1).startsWith("RELOADING=1\nMONOTONIC_USEC="), tags.get(1));
            assertEquals(List.of("READY=1", "STOPPING=1"), tags.subList(2, 4));
            assertEquals(Set.of(baton.pid()), senders(systemd.received()), "the failed new master never spoke");
        }
    }

    @Test
    void servesOnTheSocketSystemdHandsOverAndKeepsItAcrossAnUpgrade() throws Exception {
        assumeTrue(Files.isExecutable(SOCKET_ACTIVATE), SOCKET_ACTIVATE + " not installed (Debian package systemd)");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        configure("1");
        List<String> command = new ArrayList<>(List.of(SOCKET_ACTIVATE.toString(), "-l", "127.0.0.1:" + port, "--fdname=http"));
        // systemd-socket-activate passes on only the variables it is told to; the tag lets cleanup find the master.
        command.addAll(List.of("-E", Processes.TAG, "-E", "PATH", "-E", "PWD"));
        if (System.getenv("JAVA_HOME") != null) {
            command.addAll(List.of("-E", "JAVA_HOME"));
        }
        command.addAll(List.of(Sandbox.LAUNCHER.toString(), "start", "--config", config.toString()));
        Sandbox.Run baton = sandbox.launch(Map.of(), command);

        // Like systemd for Accept=no sockets, systemd-socket-activate starts the service on the first connection.
        Poll.until("systemd-socket-activate listening", Sandbox.START, () -> baton.log().contains("Listening on"));
        try (Socket first = new Socket("127.0.0.1", port)) {
            baton.awaitReady();
        }
        assertEquals(port, baton.port(), baton.log());
        assertTrue(baton.log().contains("serving on the 1 socket(s) systemd passed (LISTEN_FDS); not binding 127.0.0.1:0"), baton.log());
        assertTrue(baton.log().contains("fd 3 (http): 127.0.0.1:" + port), baton.log());

        try (Load load = new Load(port, 2, 2, Duration.ofMinutes(3), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            configure("2");
            Sandbox.Result result = upgrade();
            assertEquals(0, result.exitCode(), result.output());
            int next = Integer.parseInt(Files.readString(pidFile).trim());
            long okBefore = load.ok();
            Poll.until("version 2 served", Duration.ofSeconds(10), () -> "2".equals(load.lastVersion()) && load.ok() > okBefore + 20);
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
            assertEquals(Set.of(port), Processes.listeningPorts(next), "the new master holds systemd's socket");
            Processes.signal(next, "QUIT");
            Processes.awaitGone(next, STOP);
        }
    }

    @Test
    void theExampleUnitFilesPassSystemdAnalyzeVerify() throws Exception {
        assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), SYSTEMD_ANALYZE + " not installed");
        Path units = Files.createDirectory(sandbox.dir().resolve("units"));
        for (String unit : List.of("baton.service", "baton.socket")) {
            // verify checks that ExecStart= names an executable: point it at this checkout's launcher.
            String text = Files.readString(Sandbox.HOME.resolve("examples/systemd/" + unit))
                    .replace("/opt/baton/bin/baton", Sandbox.LAUNCHER.toString());
            Files.writeString(units.resolve(unit), text);
        }
        assertEquals(List.of(), complaints(units.resolve("baton.service"), units.resolve("baton.socket")));

        // systemd-analyze exits 0 even for unknown keys; its complaints are what to check, and it does complain.
        Files.writeString(units.resolve("baton.service"),
                Files.readString(units.resolve("baton.service")).replace("KillMode=mixed", "KillMode=mixd"));
        assertEquals(1, complaints(units.resolve("baton.service")).size());
    }

    /** systemd-analyze verify's lines about these unit files. */
    private static List<String> complaints(Path... units) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SYSTEMD_ANALYZE.toString(), "verify"));
        for (Path unit : units) {
            command.add(unit.toString());
        }
        Process verify = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!verify.waitFor(30, TimeUnit.SECONDS)) {
            verify.destroyForcibly();
            throw new AssertionError("systemd-analyze verify still running after 30 s");
        }
        return output.lines().filter(l -> l.contains("baton.service") || l.contains("baton.socket")).toList();
    }
}
