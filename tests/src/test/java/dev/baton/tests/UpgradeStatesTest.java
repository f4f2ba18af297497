package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upgrade state machine from outside: whatever arrives while an upgrade is in flight (another
 * upgrade, USR2 to either master, QUIT or TERM to either, a master dying), there are never more than
 * two generations, and a stop stops the service, leaving no pid file, socket or process behind.
 */
class UpgradeStatesTest {
    private static final Duration STEP = Duration.ofSeconds(30);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig hello;
    private Path pidFile;

    private Sandbox.Run startHello() throws IOException {
        hello = new HelloConfig(sandbox);
        pidFile = hello.pidFile;
        hello.write("1", 2);
        return hello.start(sandbox).awaitReady();
    }

    /** Starts hello and an upgrade to a generation that never gets ready; returns the new master's pid. */
    private int upgradeInFlight(Sandbox.Run baton, int bootTimeoutSeconds) throws Exception {
        nextGenerationNeverReady(bootTimeoutSeconds);
        return upgradeStarted(baton);
    }

    /** The next generation never gets ready, so the upgrade stays in flight as long as the test needs. */
    private void nextGenerationNeverReady(int bootTimeoutSeconds) throws IOException {
        hello.write("2", 2, "boot-timeout = " + bootTimeoutSeconds);
        Files.writeString(hello.file, Files.readString(hello.file)
                .replace("env HELLO_VERSION=2", "env HELLO_VERSION=2 HELLO_READY=never"));
    }

    private Sandbox.Result cli(String... args) throws Exception {
        return sandbox.run(Duration.ofSeconds(60), List.of(args));
    }

    /** Starts an upgrade without waiting; returns the new master's pid once it has written the pid file. */
    private int upgradeStarted(Sandbox.Run baton) throws Exception {
        Sandbox.Result started = cli("upgrade", "--pid", pidFile.toString());
        assertEquals(0, started.exitCode(), started.output());
        assertTrue(started.output().startsWith("upgrading: old=" + baton.pid() + " new="), started.output());
        int next = Integer.parseInt(started.output().replaceAll("(?s).*new=(\\d+).*", "$1"));
        Poll.until("the new master's pid file", STEP, () -> pidIn(pidFile) == next);
        return next;
    }

    private static int pidIn(Path file) {
        try {
            return Integer.parseInt(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private void assertNothingLeft(Sandbox.Run baton) {
        Poll.until("every process of the service gone", STEP, () -> sandbox.survivors().isEmpty());
        for (String name : List.of("baton.pid", "baton.pid.sock", "baton.pid.oldbin", "baton.pid.oldbin.sock")) {
            assertFalse(Files.exists(pidFile.resolveSibling(name)), name + " removed; log:\n" + baton.log());
        }
        try (var files = Files.list(sandbox.dir())) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void upgradesAndUsr2WhileAnUpgradeIsInFlightAreRefusedAndQuitStopsBothGenerations() throws Exception {
        Sandbox.Run baton = startHello();
        int port = baton.port();
        try (Load load = new Load(port, 1, 1, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 20);
            int next = upgradeInFlight(baton, 120);

            // The pid file names the new master now: an upgrade through it reaches the new master.
            Sandbox.Result second = cli("upgrade", "--pid", pidFile.toString(), "--wait", "--timeout", "20");
            assertEquals(1, second.exitCode(), second.output());
            assertTrue(second.output().contains("baton: upgrade refused: this master is still taking over from pid "
                    + baton.pid()), second.output());
            Sandbox.Result toOld = cli("upgrade", "--pid", pidFile + ".oldbin");
            assertEquals(1, toOld.exitCode(), toOld.output());
            assertTrue(toOld.output().contains("refused: an upgrade is already in flight (new master pid " + next + ")"),
                    toOld.output());
            Processes.signal(next, "USR2");
            baton.awaitLog("USR2 from pid \\d+ refused: this master is still taking over", STEP);
            baton.signal("USR2");
            baton.awaitLog("USR2 from pid \\d+ refused: an upgrade is already in flight", STEP);
            assertEquals(1, baton.count("(started new|woke standby) master"), baton.log());

            long before = load.ok();
            Poll.until("the old generation still serving", Duration.ofSeconds(10), () -> load.ok() > before + 20);
            load.close();
            assertEquals(List.of(), load.failures());
            assertEquals(java.util.Set.of("1"), load.versions().keySet());
        }
        baton.signal("QUIT");
        assertEquals(0, baton.awaitExit(STEP));
        baton.awaitLog("QUIT from pid \\d+: the service stops: so does the new master", STEP);
        assertNothingLeft(baton);
    }

    @Test
    void quitToTheNewMasterBeforeItsHandoffStopsTheService() throws Exception {
        Sandbox.Run baton = startHello();
        Processes.signal(upgradeInFlight(baton, 120), "QUIT");
        assertEquals(0, baton.awaitExit(STEP), baton.log());
        baton.awaitLog("new master \\(pid \\d+\\) was told to stop", STEP);
        assertNothingLeft(baton);
    }

    @Test
    void termToTheOldMasterDuringAnUpgradeStopsTheService() throws Exception {
        Sandbox.Run baton = startHello();
        upgradeInFlight(baton, 120);
        baton.signal("TERM");
        assertEquals(0, baton.awaitExit(STEP), baton.log());
        assertNothingLeft(baton);
    }

    @Test
    void aNewMasterWhoseOldMasterDiedCleansUpWhenItGivesUp() throws Exception {
        Sandbox.Run baton = startHello();
        int next = upgradeInFlight(baton, 4);
        baton.signal("KILL");
        Processes.awaitGone(baton.pid(), STEP);
        baton.awaitLog("old master \\(pid " + baton.pid() + "\\) died during the upgrade", STEP);
        Processes.awaitGone(next, STEP);
        assertNothingLeft(baton);
    }

    /** Upgrades while a worker of the old generation serves a slow request; returns once the old master has handed off. */
    private int handedOffWhileDraining(Sandbox.Run baton, Http slow, int slowMillis) throws Exception {
        int port = baton.port();
        slow.send("/slow?ms=" + slowMillis);
        Poll.until("slow request in a worker", Duration.ofSeconds(10),
                () -> Processes.workers(baton.pid()).stream().anyMatch(w -> Sockets.acceptedBy(w, port, slow.localPort())));
        hello.write("2", 2);
        int next = upgradeStarted(baton);
        baton.awaitLog("handed off to the new master \\(pid " + next + "\\)", STEP);
        return next;
    }

    @Test
    void anUpgradeWhileTheOldGenerationStillDrainsIsRefused() throws Exception {
        Sandbox.Run baton = startHello();
        int port = baton.port();
        try (Http slow = Http.connect(port)) {
            handedOffWhileDraining(baton, slow, 6000);
            Sandbox.Result refused = cli("upgrade", "--pid", pidFile.toString());
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("refused: the old master (pid " + baton.pid() + ") has not exited yet"),
                    refused.output());
            assertEquals(200, slow.receive().status(), "the old generation's request finished");
        }
        assertEquals(0, baton.awaitExit(STEP));
        hello.write("3", 2);
        Poll.until("the new master notices its old master is gone", STEP,
                () -> baton.count("upgrades are possible again") == 1);
        Sandbox.Result third = cli("upgrade", "--pid", pidFile.toString(), "--wait", "--timeout", "50");
        assertEquals(0, third.exitCode(), third.output());
        assertEquals("3", Http.get(port, "/").version());
    }

    @Test
    void aNewMasterThatDiesAfterTheHandoffGetsTheOldGenerationServingAgain() throws Exception {
        Sandbox.Run baton = startHello();
        int port = baton.port();
        try (Http slow = Http.connect(port)) {
            int next = handedOffWhileDraining(baton, slow, 8000);
            Processes.signal(next, "KILL");
            baton.awaitLog("new master \\(pid " + next + "\\) killed by SIGKILL after taking over: generation 1 serves again", STEP);
            Poll.until("the pid file names the old master again", STEP, () -> pidIn(pidFile) == baton.pid());
            Poll.until("generation 1 answering again", STEP, () -> {
                try {
                    return "1".equals(Http.get(port, "/").version());
                } catch (IOException e) {
                    return false;
                }
            });
            assertEquals(200, slow.receive().status(), "the draining worker's request finished");
        }
        assertTrue(baton.alive());
        Sandbox.Result status = cli("status", "--pid", pidFile.toString());
        assertEquals(0, status.exitCode(), status.output());
        assertTrue(status.output().contains("generation 1, serving"), status.output());
    }
}
