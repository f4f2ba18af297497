package dev.baton.tests;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each server adapter held to hello's proof: the example of each, under the real master with two
 * workers, through upgrades under load, a graceful stop, a hung worker and a killed master.
 */
class ServersTest {

    /** An example application: {@code examples/<name>/target/<name>.jar}, run with these JVM flags. */
    record App(String name, List<String> jvmFlags, Duration boot) {
        List<String> command() {
            return Sandbox.worker(jvmFlags, Sandbox.example(name));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** One row per server; each example answers / and /slow?ms=N like hello. */
    static Stream<App> apps() {
        return Stream.of(
                new App("jetty", Sandbox.WORKER_FLAGS, Duration.ofSeconds(30)),
                new App("netty", Sandbox.WORKER_FLAGS, Duration.ofSeconds(30)));
    }

    private static final Duration UPGRADE = Duration.ofSeconds(60);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig config;

    private Sandbox.Run start(App app, String... extra) throws IOException {
        config = new HelloConfig(sandbox, app.command());
        config.write("1", 2, extra);
        Sandbox.Run baton = config.start(sandbox);
        baton.awaitLog("master gen 1: all 2 workers ready", app.boot());
        return baton;
    }

    private int pidInFile() throws IOException {
        return Integer.parseInt(Files.readString(config.pidFile).trim());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apps")
    void upgradesUnderLoadDropNothingThenQuitAnswers503OnHealthAndFinishesInFlight(App app) throws Exception {
        String[] settings = {"health-path = /health", "health-delay = 2"};
        Sandbox.Run baton = start(app, settings);
        int port = baton.port();
        int master = baton.pid();
        try (Load load = new Load(port, 2, 2, 2, "/slow?ms=1000", Duration.ofMinutes(4), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            for (int version = 2; version <= 6; version++) {
                List<Integer> oldWorkers = Processes.children(master);
                config.write(Integer.toString(version), 2, settings);
                long slowClosedBefore = load.slowClosed();
                Processes.signal(master, "USR2");
                Processes.awaitGone(master, UPGRADE);
                Poll.until("a slow request running at the handoff finished with Connection: close", Duration.ofSeconds(5),
                        () -> load.slowClosed() > slowClosedBefore);
                int next = pidInFile();
                assertTrue(next != master, "the pid file names the new master");
                oldWorkers.forEach(w -> assertFalse(Processes.alive(w), "old worker " + w + " gone"));
                // Their last words, written after the drain, reached the log: stderr outlived the socket's hand-over.
                oldWorkers.forEach(w -> baton.awaitLog("baton\\[" + w + "\\] gen \\d+ worker \\d: drained, exiting",
                        Duration.ofSeconds(5)));
                String expected = Integer.toString(version);
                long okBefore = load.ok();
                Poll.until("version " + expected + " served", Duration.ofSeconds(10),
                        () -> expected.equals(load.lastVersion()) && load.ok() > okBefore + 20);
                master = next;
            }
            Set<Integer> last = new HashSet<>(Processes.children(master));
            last.add(master);
            assertEquals(last, new HashSet<>(sandbox.survivors()), "only the last master and its workers remain");
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
            for (int version = 1; version <= 6; version++) {
                assertTrue(load.versions().containsKey(Integer.toString(version)), "version " + version + " served: "
                        + load.versions());
            }
        }

        List<Integer> workers = Processes.children(master);
        try (Http slow = Http.connect(port)) {
            slow.send("/slow?ms=2000");
            Poll.until("slow request accepted", Duration.ofSeconds(10),
                    () -> workers.stream().anyMatch(w -> Sockets.acceptedBy(w, port, slow.localPort())));
            long quitAt = System.nanoTime();
            Processes.signal(master, "QUIT");
            Poll.until("health path reports 503", Duration.ofSeconds(2), () -> Http.status(port, "/health") == 503);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, Http.get(port, "/").status(), "everything else still served during --health-delay");
            }
            assertEquals(200, slow.receive().status());
            Processes.awaitGone(master, Duration.ofSeconds(30));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quitAt) >= 2000, "drained only after the delay");
        }
        baton.awaitLog("baton\\[" + master + "\\] master gen 6: exiting with status 0", Duration.ofSeconds(5));
        assertFalse(Files.exists(config.pidFile), "pid file removed");
        workers.forEach(w -> assertFalse(Processes.alive(w), "worker " + w + " gone"));
        assertEquals(List.of(), sandbox.survivors());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apps")
    void aStoppedWorkerIsReplacedAndAKilledMastersWorkersExit(App app) throws Exception {
        Sandbox.Run baton = start(app, "timeout = 3");
        List<Integer> workers = Processes.children(baton.pid());
        int victim = workers.get(0);
        Processes.signal(victim, "STOP");
        Poll.until("stopped worker killed and a replacement spawned", Duration.ofSeconds(3 + 2),
                () -> !Processes.alive(victim) && Processes.children(baton.pid()).size() == 2);
        Poll.until("replacement ready", app.boot(),
                () -> Control.ready(Control.request(config.controlSocket(), "status")) == 2);
        assertTrue(Processes.children(baton.pid()).contains(workers.get(1)), "the healthy worker was left alone");
        assertEquals(200, Http.get(baton.port(), "/").status());

        List<Integer> orphans = Processes.children(baton.pid());
        baton.signal("KILL");
        baton.awaitExit(Duration.ofSeconds(5));
        Poll.until("orphaned workers gone", Duration.ofSeconds(5), () -> orphans.stream().noneMatch(Processes::alive));
        assertEquals(List.of(), sandbox.survivors());
    }
}
