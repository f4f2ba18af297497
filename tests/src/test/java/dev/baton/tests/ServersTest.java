package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each server adapter held to hello's proof (hello's own is in the other classes): the example of
 * each, under the real master with two workers, through upgrades under load, a graceful stop
 * behind a health delay, a hung worker and a killed master; and the same jar without Baton.
 */
class ServersTest {
    private static final Duration UPGRADE = Duration.ofSeconds(90);
    /** Three upgrades per server: a request in flight at every handoff, each a new chance to drop one. */
    private static final int LAST_VERSION = 4;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig config;

    private Sandbox.Run start(App app, String... extra) throws IOException {
        config = new HelloConfig(sandbox, app);
        config.write("1", 2, extra);
        Sandbox.Run baton = config.start(sandbox);
        baton.awaitLog("master gen 1: all 2 workers ready", app.boot());
        return baton;
    }

    private int pidInFile() throws IOException {
        return Integer.parseInt(Files.readString(config.pidFile).trim());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT", "JETTY", "NETTY"})
    void upgradesUnderLoadDropNothingThenAStopDrainsBehindTheHealthDelay(App app) throws Exception {
        String[] settings = {"health-path = /health", "health-delay = 2"};
        Sandbox.Run baton = start(app, settings);
        int port = baton.port();
        int master = baton.pid();
        Set<Integer> served = new HashSet<>();
        for (int i = 0; i < 400 && served.size() < 2; i++) {
            served.add(Http.get(port, "/").pid());
        }
        assertEquals(new HashSet<>(Processes.workers(master)), served, "both workers serve on the one port");

        try (Load load = new Load(port, 2, 2, 2, "/slow?ms=1000", Duration.ofMinutes(4), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            for (int version = 2; version <= LAST_VERSION; version++) {
                List<Integer> oldWorkers = Processes.workers(master);
                config.write(Integer.toString(version), 2, settings);
                long slowClosedBefore = load.slowClosed();
                Processes.signal(master, "USR2");
                Processes.awaitGone(master, UPGRADE);
                // The new master refuses the next USR2 until it has seen this one go, a moment later.
                baton.awaitLog("old master \\(pid " + master + "\\) is gone; upgrades are possible again", UPGRADE);
                Poll.until("a slow request running at the handoff finished with Connection: close", Duration.ofSeconds(5),
                        () -> load.slowClosed() > slowClosedBefore);
                int next = pidInFile();
                assertTrue(next != master, "the pid file names the new master");
                oldWorkers.forEach(w -> assertFalse(Processes.alive(w), "old worker " + w + " gone"));
                // Their last words, written after the drain, reached the log: stderr outlived the drain.
                oldWorkers.forEach(w -> baton.awaitLog("baton\\[" + w + "\\] gen \\d+ worker \\d: drained, exiting",
                        Duration.ofSeconds(5)));
                String expected = Integer.toString(version);
                long okBefore = load.ok();
                Poll.until("version " + expected + " served", Duration.ofSeconds(20),
                        () -> expected.equals(load.lastVersion()) && load.ok() > okBefore + 20);
                master = next;
            }
            Set<Integer> last = new HashSet<>(Processes.workers(master));
            last.add(master);
            assertEquals(last, new HashSet<>(sandbox.survivors()), "only the last master and its workers remain");
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
            for (int version = 1; version <= LAST_VERSION; version++) {
                assertTrue(load.versions().containsKey(Integer.toString(version)), "version " + version + " served: "
                        + load.versions());
            }
            System.out.println(app + ": " + (LAST_VERSION - 1) + " upgrades, " + load.ok() + " requests, 0 failed");
        }

        List<Integer> workers = Processes.workers(master);
        try (Http slow = Http.connect(port); Http idle = Http.connect(port)) {
            assertFalse(idle.get("/").closes(), "a keep-alive connection, left idle from now on");
            slow.send("/slow?ms=3000");
            Poll.until("slow request accepted", Duration.ofSeconds(10),
                    () -> workers.stream().anyMatch(w -> Sockets.acceptedBy(w, port, slow.localPort())));
            long quitAt = System.nanoTime();
            Processes.signal(master, "QUIT");
            Poll.until("health path reports 503", Duration.ofSeconds(2), () -> Http.status(port, "/health") == 503);
            if (app.readinessPath() != null) {
                Poll.until("the framework's readiness follows", Duration.ofSeconds(2),
                        () -> Http.status(port, app.readinessPath()) == 503);
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(200, Http.get(port, "/").status(), "everything else still served during --health-delay");
            }
            assertEquals(200, slow.receive().status(), "the request in flight finished");
            assertTrue(idle.closedByServer(), "the idle keep-alive connection was closed cleanly (FIN, not a reset)");
            Processes.awaitGone(master, Duration.ofSeconds(30));
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quitAt);
            assertTrue(stopMillis >= 2000, "drained only after the delay");
            // The idle connection closed after its 1 s grace, not at the graceful timeout (20 s).
            assertTrue(stopMillis < 12_000, "stopped " + stopMillis + " ms after QUIT");
        }
        baton.awaitLog("baton\\[" + master + "\\] master gen " + LAST_VERSION + ": exiting with status 0", Duration.ofSeconds(5));
        assertFalse(Files.exists(config.pidFile), "pid file removed");
        workers.forEach(w -> assertFalse(Processes.alive(w), "worker " + w + " gone"));
        assertEquals(List.of(), sandbox.survivors());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT", "JETTY", "NETTY"})
    void aStoppedWorkerIsReplacedAndAKilledMastersWorkersExit(App app) throws Exception {
        Sandbox.Run baton = start(app, "timeout = 3");
        List<Integer> workers = Processes.workers(baton.pid());
        int victim = workers.get(0);
        long stoppedAt = System.nanoTime();
        Processes.signal(victim, "STOP");
        Poll.until("stopped worker killed and a replacement spawned", Duration.ofSeconds(3 + 2),
                () -> !Processes.alive(victim) && Processes.workers(baton.pid()).size() == 2);
        System.out.println(app + ": stopped worker replaced "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt) + " ms after SIGSTOP");
        Poll.until("replacement ready", app.boot(),
                () -> Control.ready(Control.request(config.controlSocket(), "status")) == 2);
        assertTrue(Processes.workers(baton.pid()).contains(workers.get(1)), "the healthy worker was left alone");
        assertEquals(200, Http.get(baton.port(), "/").status());

        List<Integer> orphans = Processes.children(baton.pid());
        baton.signal("KILL");
        baton.awaitExit(Duration.ofSeconds(5));
        Poll.until("orphaned workers gone", Duration.ofSeconds(5), () -> orphans.stream().noneMatch(Processes::alive));
        assertEquals(List.of(), sandbox.survivors());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT", "JETTY", "NETTY"})
    void withoutAMasterTheJarIsAPlainApplication(App app) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // Spring Boot reads server.port, the Baton adapters BATON_LISTEN: each takes its own.
        Sandbox.Run plain = sandbox.launch(Map.of("SERVER_PORT", Integer.toString(port),
                "BATON_LISTEN", "127.0.0.1:" + port), app.command());
        Http.Response response = Poll.until("serving on its own port", app.boot(), () -> {
            try {
                return Http.get(port, "/");
            } catch (IOException e) {
                return null;
            }
        });
        assertEquals(200, response.status());
        assertEquals(plain.pid(), response.pid(), "the JVM started by the test answers: no master, no fork");
        plain.signal("TERM");
        plain.awaitExit(Duration.ofSeconds(30));
        if (app == App.SPRING_BOOT) {
            assertFalse(plain.log().contains("baton["), "Baton stays out of a Spring Boot application it does not run:\n"
                    + plain.log());
        }
    }
}
