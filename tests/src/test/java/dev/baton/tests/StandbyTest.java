package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The standby master: the next master, started and parked ahead of the deploy, which USR2 wakes
 * instead of starting a JVM; one that runs an older Baton starts afresh, one that dies is
 * replaced, and none outlives its master.
 */
class StandbyTest {
    private static final Duration PARK = Duration.ofSeconds(30);
    private static final Duration UPGRADE = Duration.ofSeconds(60);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig hello;

    private Sandbox.Run startHello() throws Exception {
        hello = new HelloConfig(sandbox);
        hello.write("1", 2);
        return hello.start(sandbox).awaitReady();
    }

    private Sandbox.Result upgrade() throws Exception {
        return sandbox.run(UPGRADE, List.of("upgrade", "--pid", hello.pidFile.toString(), "--wait", "--timeout", "50"));
    }

    private int parked() {
        return Control.awaitParkedStandby(hello.controlSocket(), PARK);
    }

    @Test
    void anUpgradeWakesTheParkedStandbyWhichReadsTheConfigThenAndDropsNothing() throws Exception {
        Sandbox.Run baton = startHello();
        int standby = parked();
        assertEquals(baton.pid(), Processes.parent(standby), "the master's child");
        // A pkill aimed at every process reaches the standby too: dropped, not held for the new master.
        for (String signal : List.of("QUIT", "WINCH", "TTIN")) {
            Processes.signal(standby, signal);
        }
        try (Load load = new Load(baton.port(), 2, 2, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            // Written after the standby parked: it must read the config as it wakes, not before.
            hello.write("2", 2);
            Sandbox.Result result = upgrade();
            assertEquals(0, result.exitCode(), result.output());
            assertTrue(result.output().startsWith("upgraded: old=" + baton.pid() + " new=" + standby + " "), result.output());
            baton.awaitLog("upgrade request: woke standby master \\(pid " + standby + "\\) for generation 2", UPGRADE);
            assertEquals(0, baton.count("started new master"), baton.log());
            Poll.until("version 2 served", Duration.ofSeconds(10), () -> "2".equals(load.lastVersion()));
            assertEquals("2", Http.get(baton.port(), "/").version());

            String status = Control.request(hello.controlSocket(), "status");
            assertTrue(status.contains("\"parked as standby\":"), "its start-up counts from its wake-up: " + status);
            assertTrue(status.contains("\"state\":\"serving\""), status);
            assertEquals(2, Control.workers(status).size(), "neither WINCH nor TTIN reached it: " + status);
            int next = parked();
            assertNotEquals(standby, next);
            assertEquals(standby, Processes.parent(next), "the new master keeps a standby of its own");
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
        }
    }

    /**
     * A deploy the usual way: a new release of the application beside the old, a {@code current}
     * symlink switched to it, then USR2. The master runs in {@code current} and reads
     * {@code baton.conf} from there. The standby started before the switch runs in the old
     * release's directory, where the relative path names the old config: it must not take the upgrade.
     */
    @Test
    void aStandbyInAnOlderReleaseLeavesTheUpgradeToAMasterStartedAfresh() throws Exception {
        deploy(false, "out of date: .*/current is no longer .*/release-1");
    }

    /** The same, with Baton itself in the release: the standby runs the old release's jars. */
    @Test
    void aStandbyOfAnOlderBatonLeavesTheUpgradeToAMasterStartedAfresh() throws Exception {
        deploy(true, "out of date: Baton changed since it started");
    }

    private void deploy(boolean batonInRelease, String why) throws Exception {
        hello = new HelloConfig(sandbox);
        Path older = release("release-1", "1", batonInRelease);
        Path newer = release("release-2", "2", batonInRelease);
        Path current = sandbox.dir().resolve("current");
        Files.createSymbolicLink(current, older);
        Path launcher = batonInRelease ? current.resolve("bin/baton") : Sandbox.LAUNCHER;
        // No master archive: each release would train one for nothing.
        Sandbox.Run baton = sandbox.launchIn(current, Map.of("BATON_MASTER_CACHE", "off"),
                List.of(launcher.toString(), "start", "--config", "baton.conf")).awaitReady();
        int standby = parked();

        Path switched = sandbox.dir().resolve("current.new");
        Files.createSymbolicLink(switched, newer);
        Files.move(switched, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (!batonInRelease) {
            // Deploy tools prune old releases: the standby, whose config file goes with its
            // directory, must still leave the upgrade to a new master rather than fail it.
            Sandbox.delete(older);
        }
        Sandbox.Result result = upgrade();
        assertEquals(0, result.exitCode(), result.output());
        baton.awaitLog("standby master \\(pid " + standby + "\\) " + why + ".*; starting a new master instead", UPGRADE);
        int next = Integer.parseInt(Files.readString(hello.pidFile).trim());
        assertNotEquals(standby, next);
        assertTrue(result.output().startsWith("upgraded: old=" + baton.pid() + " new=" + next + " "), result.output());
        if (batonInRelease) {
            assertTrue(Processes.commandLine(next).contains(newer + "/supervisor/target/baton.jar"), Processes.commandLine(next));
        }
        assertEquals("2", Http.get(baton.port(), "/").version(), "the new release's config, read in its directory");
        assertFalse(Processes.alive(standby));
    }

    /**
     * A release: a {@code baton.conf} serving {@code version} (its pid file outside the releases)
     * and, if asked, bin/baton and the built supervisor as an unpacked Baton release lays them out.
     */
    private Path release(String name, String version, boolean withBaton) throws Exception {
        Path release = sandbox.dir().resolve(name);
        Files.createDirectories(release);
        if (withBaton) {
            Files.createDirectories(release.resolve("bin"));
            Files.copy(Sandbox.LAUNCHER, release.resolve("bin/baton"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.createSymbolicLink(release.resolve("supervisor"), Sandbox.HOME.resolve("supervisor"));
        }
        hello.write(version, 2);
        Files.copy(hello.file, release.resolve("baton.conf"));
        return release;
    }

    @Test
    void aStandbyThatDiesIsReplacedAndAnUpgradeAsOneDiesStartsAMasterAfresh() throws Exception {
        Sandbox.Run baton = startHello();
        int first = parked();
        Processes.signal(first, "KILL");
        baton.awaitLog("standby master \\(pid " + first + "\\) killed by SIGKILL before it was needed; the next in 2 s", PARK);
        int second = Control.awaitParkedStandby(hello.controlSocket(), PARK, first);

        try (Load load = new Load(baton.port(), 1, 1, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 20);
            hello.write("2", 2);
            // However the race goes (the pipe already closed, the standby not yet reaped, or reaped),
            // the upgrade gets a master.
            Processes.signal(second, "KILL");
            baton.signal("USR2");
            baton.awaitLog("master gen 2: all 2 workers ready", UPGRADE);
            Processes.awaitGone(baton.pid(), UPGRADE);
            assertFalse(Processes.alive(second));
            assertTrue(baton.log().contains("started new master"), baton.log());
            Poll.until("version 2 served", Duration.ofSeconds(10), () -> "2".equals(load.lastVersion()));
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
        }
    }

    @Test
    void noStandbyOutlivesItsMasterNorAReloadThatTurnsItOff() throws Exception {
        Sandbox.Run baton = startHello();
        int first = parked();
        hello.write("1", 2, "standby = off");
        baton.signal("HUP");
        baton.awaitLog("standby master \\(pid " + first + "\\) dismissed", PARK);
        Processes.awaitGone(first, Duration.ofSeconds(10));
        assertEquals("none", Control.standby(Control.request(hello.controlSocket(), "status")).state());

        hello.write("1", 2);
        baton.signal("HUP");
        int second = parked();
        baton.signal("QUIT");
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(30)), baton.log());
        assertFalse(Processes.alive(second), "gone with the master that stopped");

        Sandbox.Run killed = hello.start(sandbox).awaitReady();
        int orphan = parked();
        Processes.signal(killed.pid(), "KILL");
        // Its pipe closes with its master, however that master went.
        Processes.awaitGone(orphan, Duration.ofSeconds(10));
    }
}
