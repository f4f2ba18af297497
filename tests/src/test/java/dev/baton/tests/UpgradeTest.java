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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** USR2: a new master and generation on the same socket, handoff when ready, rollback when not. */
class UpgradeTest {
    private static final Duration UPGRADE = Duration.ofSeconds(60);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Path config;
    private Path pidFile;
    private HelloConfig hello;

    /** Writes the config an upgrade re-reads: hello at {@code version}, plus any extra lines. */
    private void configure(String version, String... extra) throws IOException {
        hello.write(version, 2, extra);
    }

    private Sandbox.Run startHello(String... extra) throws IOException {
        hello = new HelloConfig(sandbox);
        config = hello.file;
        pidFile = hello.pidFile;
        configure("1", extra);
        return hello.start(sandbox).awaitReady();
    }

    private Sandbox.Result upgrade() throws Exception {
        return sandbox.run(UPGRADE, List.of("upgrade", "--pid", pidFile.toString(), "--wait", "--timeout", "50"));
    }

    private int pidInFile() throws IOException {
        return Integer.parseInt(Files.readString(pidFile).trim());
    }

    @Test
    void fiveUpgradesUnderLoadDropNothingAndSwitchVersions() throws Exception {
        Sandbox.Run baton = startHello();
        int port = baton.port();
        try (Load load = new Load(port, 2, 2, Duration.ofMinutes(3), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            int master = baton.pid();
            for (int version = 2; version <= 6; version++) {
                List<Integer> oldWorkers = Processes.workers(master);
                configure(Integer.toString(version));
                Sandbox.Result result = upgrade();
                assertEquals(0, result.exitCode(), result.output());
                assertTrue(result.output().startsWith("upgraded: old=" + master + " new="), result.output());

                int next = pidInFile();
                assertFalse(Processes.alive(master), "old master " + master + " gone");
                oldWorkers.forEach(w -> assertFalse(Processes.alive(w), "old worker " + w + " gone"));
                String expected = Integer.toString(version);
                long okBefore = load.ok();
                Poll.until("only version " + expected + " served", Duration.ofSeconds(10),
                        () -> expected.equals(load.lastVersion()) && load.ok() > okBefore + 20);
                assertEquals(expected, Http.get(port, "/").version());
                master = next;
            }
            // Its standby too, once parked (a master's child from then on, until the next upgrade).
            Control.awaitParkedStandby(hello.controlSocket(), UPGRADE);
            List<Integer> live = sandbox.survivors();
            Set<Integer> expected = new HashSet<>(Processes.children(master));
            expected.add(master);
            assertEquals(expected, new HashSet<>(live), "only the last master and its workers remain");
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
            assertTrue(load.ok() > 500, "requests served: " + load.ok());
            for (int version = 1; version <= 6; version++) {
                assertTrue(load.versions().containsKey(Integer.toString(version)), "version " + version + " served: " + load.versions());
            }
        }
    }

    @Test
    void aWorkerCommandThatExitsAtStartRollsBack() throws Exception {
        Sandbox.Run baton = startHello();
        try (Load load = new Load(baton.port(), 1, 1, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 20);
            Files.write(config, List.of("listen = 127.0.0.1:0", "workers = 2", "pid = " + pidFile,
                    "command = sh -c 'exit 3'"));
            Sandbox.Result result = upgrade();
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.output().contains("upgrade failed: worker")
                    && result.output().contains("failed to start 3 times in a row (last: exited with status 3)"), result.output());
            assertEquals(baton.pid(), pidInFile(), "<pid> names the old master again");
            assertFalse(Files.exists(pidFile.resolveSibling("baton.pid.oldbin")));
            baton.awaitLog("generation 1 keeps serving", Duration.ofSeconds(5));
            long before = load.ok();
            Poll.until("still serving", Duration.ofSeconds(10), () -> load.ok() > before + 20);
            load.close();
            assertEquals(List.of(), load.failures());
            assertEquals("1", load.lastVersion());
        }
    }

    @Test
    void aGenerationThatNeverBecomesReadyRollsBackAfterTheBootTimeout() throws Exception {
        Sandbox.Run baton = startHello();
        try (Load load = new Load(baton.port(), 1, 1, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 20);
            configure("2", "boot-timeout = 3");
            Files.writeString(config, Files.readString(config).replace("env HELLO_VERSION=2", "env HELLO_VERSION=2 HELLO_READY=never"));
            Sandbox.Result result = upgrade();
            assertEquals(1, result.exitCode(), result.output());
            assertTrue(result.output().contains("upgrade failed: workers not ready within --boot-timeout 3 s (0 of 2 ready)"),
                    result.output());
            assertEquals(baton.pid(), pidInFile());
            long before = load.ok();
            Poll.until("still serving", Duration.ofSeconds(10), () -> load.ok() > before + 20);
            load.close();
            assertEquals(List.of(), load.failures());
            assertEquals(Set.of("1"), load.versions().keySet(), "the unready generation never served");
        }
        // The failed generation's processes are all gone; only the old master, its workers and its
        // next standby (the last one was woken for the upgrade that failed) remain.
        Control.awaitParkedStandby(hello.controlSocket(), UPGRADE);
        Set<Integer> expected = new HashSet<>(Processes.children(baton.pid()));
        expected.add(baton.pid());
        Poll.until("failed generation gone", Duration.ofSeconds(10), () -> new HashSet<>(sandbox.survivors()).equals(expected));
    }

    @Test
    void aNewMasterThatCannotStartRollsBackWithItsReason() throws Exception {
        Sandbox.Run baton = startHello();
        Files.write(config, List.of("listen = 127.0.0.1:0", "wrokers = 2", "command = java"));
        Sandbox.Result result = upgrade();
        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("unknown key 'wrokers'"), result.output());
        assertEquals(baton.pid(), pidInFile());
        assertEquals(200, Http.get(baton.port(), "/").status());
    }

    @Test
    void manualHandoffServesBothGenerationsUntilTheOldMasterGetsQuit() throws Exception {
        Sandbox.Run baton = startHello("handoff = manual");
        int port = baton.port();
        configure("2", "handoff = manual");
        Sandbox.Result result = upgrade();
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().startsWith("new generation ready: old=" + baton.pid()), result.output());
        assertTrue(baton.alive());
        assertEquals(baton.pid(), Integer.parseInt(Files.readString(pidFile.resolveSibling("baton.pid.oldbin")).trim()));

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 400 && seen.size() < 2; i++) {
            seen.add(Http.get(port, "/").version());
        }
        assertEquals(Set.of("1", "2"), seen, "both generations serve");

        baton.signal("QUIT");
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(30)));
        for (int i = 0; i < 50; i++) {
            assertEquals("2", Http.get(port, "/").version());
        }
        assertFalse(Files.exists(pidFile.resolveSibling("baton.pid.oldbin")));
    }

    @Test
    void aSecondUsr2DuringAnUpgradeIsRefusedAndTheFirstCompletes() throws Exception {
        Sandbox.Run baton = startHello();
        configure("2");
        baton.signal("USR2");
        baton.awaitLog("(started new|woke standby) master \\(pid \\d+\\)", Duration.ofSeconds(10));
        baton.signal("USR2");
        baton.awaitLog("USR2 from pid \\d+ refused: an upgrade is already in flight", Duration.ofSeconds(10));
        assertEquals(0, baton.awaitExit(UPGRADE));
        assertEquals(1, baton.count("(started new|woke standby) master"));
        assertEquals("2", Http.get(baton.port(), "/").version());
    }

    /**
     * Upgrades, then HUP rolls, in a row. 20 and 10 in the suite, to keep it short; the 50
     * and 50 with {@code -Dbaton.soak.upgrades=50 -Dbaton.soak.rolls=50}.
     */
    @Test
    void upgradesThenHupRollsInARowLeakNoFdsThreadsMemoryOrProcesses() throws Exception {
        int upgrades = Integer.getInteger("baton.soak.upgrades", 20);
        int rolls = Integer.getInteger("baton.soak.rolls", 10);
        Sandbox.Run baton = startHello();
        int port = baton.port();
        int master = baton.pid();
        int firstFds = -1;
        int firstThreads = -1;
        for (int i = 1; i <= upgrades; i++) {
            Sandbox.Result result = upgrade();
            assertEquals(0, result.exitCode(), "upgrade " + i + ": " + result.output());
            int next = pidInFile();
            assertFalse(Processes.alive(master));
            master = next;
            int upgraded = i;
            // It lets go of its old master (report pipe closed) once it sees it gone.
            Poll.until("new master " + next + " done with its old master", Duration.ofSeconds(10),
                    () -> baton.count("is gone; upgrades are possible again") == upgraded);
            // Measured with the new master's standby parked, the state a master spends its time in.
            Control.awaitParkedStandby(hello.controlSocket(), UPGRADE);
            int fds = Processes.fds(master).size();
            int threads = status(master, "Threads");
            if (i == 2) {
                firstFds = fds;
                firstThreads = threads;
            } else if (i > 2) {
                // A jar the JVM opens when it first needs a class from it comes and stays; a leak keeps growing.
                int baseline = firstFds;
                int newMaster = master;
                Poll.until("upgrade " + i + ": master " + newMaster + " with at most " + baseline + " fds (has "
                        + fds + ")", Duration.ofSeconds(10), () -> Processes.fds(newMaster).size() <= baseline);
                assertTrue(threads <= firstThreads + 2, "upgrade " + i + ": master has " + threads + " threads, the second had " + firstThreads);
            }
            Set<Integer> expected = new HashSet<>(Processes.children(master));
            expected.add(master);
            assertEquals(expected, new HashSet<>(sandbox.survivors()), "after upgrade " + i + ": nothing of an earlier generation");
            assertEquals(List.of(), zombies(), "after upgrade " + i);
        }
        int last = master;
        Path socket = hello.controlSocket();
        long[] first = new long[3];
        for (int i = 1; i <= rolls; i++) {
            Set<Integer> before = new HashSet<>(Processes.workers(last));
            Processes.signal(last, "HUP");
            Poll.until("roll " + i + " done", UPGRADE, () -> {
                List<Control.Worker> workers = Control.workers(Control.request(socket, "status"));
                return workers.size() == 2 && workers.stream().allMatch(w -> w.state().equals("ready"))
                        && workers.stream().noneMatch(w -> before.contains(w.pid()));
            });
            Poll.until("roll " + i + ": replaced workers reaped", Duration.ofSeconds(30),
                    () -> Processes.workers(last).size() == 2 && zombies().isEmpty());
            long[] now = {Processes.fds(last).size(), status(last, "Threads"), status(last, "VmRSS")};
            if (i == 2) {
                first = now;
            } else if (i > 2) {
                assertTrue(now[0] <= first[0], "roll " + i + ": " + now[0] + " fds, the second roll left " + first[0]);
                assertTrue(now[1] <= first[1] + 2, "roll " + i + ": " + now[1] + " threads, the second roll left " + first[1]);
                // A few MB of room for what the JIT compiles late; a leak grows with every roll.
                assertTrue(now[2] <= first[2] + 4096, "roll " + i + ": " + now[2] + " KiB resident, the second roll left " + first[2]);
            }
        }
        System.out.println("soak: " + upgrades + " upgrades, " + rolls + " rolls; last master " + Processes.fds(last).size()
                + " fds, " + status(last, "Threads") + " threads, " + status(last, "VmRSS") + " KiB resident");
        assertEquals(200, Http.get(port, "/").status());
    }

    @Test
    void workersKnowTheirGenerationAndNumber() throws Exception {
        Sandbox.Run baton = startHello();
        configure("2");
        assertEquals(0, upgrade().exitCode());
        int master = pidInFile();
        Set<String> seen = new HashSet<>();
        for (int worker : Processes.workers(master)) {
            String environ = Files.readString(Path.of("/proc/" + worker + "/environ")).replace('\0', '\n');
            assertTrue(environ.contains("\nBATON_GENERATION=2\n"), environ);
            seen.add(environ.replaceAll("(?s).*\nBATON_WORKER=(\\d+)\n.*", "$1"));
        }
        assertEquals(Set.of("0", "1"), seen);
        assertTrue(baton.log().contains("gen 2 worker 0 (pid"), baton.log());
    }

    /** A number from /proc/PID/status: Threads, VmRSS (KiB)... */
    private static int status(int pid, String field) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(field + ":"))
                    .map(l -> Integer.parseInt(l.split("\\s+")[1])).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Zombie children of this test's processes: exited, never reaped. */
    private List<Integer> zombies() {
        Set<Integer> ours = new HashSet<>(sandbox.survivors());
        return Processes.zombies().stream().filter(z -> ours.contains(Processes.parent(z))).toList();
    }
}
