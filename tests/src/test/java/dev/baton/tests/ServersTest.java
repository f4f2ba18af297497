package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every server Baton adapts, held to the proof hello was held to: upgrades under load that drop
 * nothing, a graceful stop that finishes what runs, hung and orphaned workers handled, the health
 * path, output that survives a drain, and the same jar untouched without Baton. Hello itself is
 * proven by the other test classes.
 */
class ServersTest {
    private static final Duration UPGRADE = Duration.ofSeconds(90);
    private static final Duration BOOT = Duration.ofSeconds(60);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig config;

    private Sandbox.Run start(App app, String... extra) throws IOException {
        config = new HelloConfig(sandbox, app);
        config.write("1", 2, extra);
        Sandbox.Run baton = config.start(sandbox);
        baton.awaitLog("master gen 1: all 2 workers ready", BOOT);
        return baton;
    }

    private int pidInFile() throws IOException {
        return Integer.parseInt(Files.readString(config.pidFile).trim());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT"})
    void fiveUpgradesUnderLoadDropNothing(App app) throws Exception {
        Sandbox.Run baton = start(app);
        int port = baton.port();
        int master = baton.pid();
        Set<Integer> served = new HashSet<>();
        for (int i = 0; i < 400 && served.size() < 2; i++) {
            served.add(Http.get(port, "/").pid());
        }
        assertEquals(new HashSet<>(Processes.children(master)), served, "both workers serve on the one port");

        try (Load load = new Load(port, 2, 2, Duration.ofMinutes(4), 1_000_000).withSlowClients(2, 1000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50 && load.slowOk() > 0);
            for (int version = 2; version <= 6; version++) {
                List<Integer> oldWorkers = Processes.children(master);
                config.write(Integer.toString(version), 2);
                long slowBefore = load.slowOk();
                Sandbox.Result result = sandbox.run(UPGRADE,
                        List.of("upgrade", "--pid", config.pidFile.toString(), "--wait", "--timeout", "80"));
                assertEquals(0, result.exitCode(), result.output());
                assertTrue(result.output().startsWith("upgraded: old=" + master + " new="), result.output());
                assertTrue(load.slowOk() > slowBefore, "slow requests were running while the generation changed");

                int old = master;
                Poll.until("old master " + old + " and its workers gone", Duration.ofSeconds(30),
                        () -> !Processes.alive(old) && oldWorkers.stream().noneMatch(Processes::alive));
                for (int worker : oldWorkers) {
                    // Written to stderr after the drain began: the worker's output outlived it.
                    baton.awaitLog("baton\\[" + worker + "\\] gen " + (version - 1) + " worker \\d: drained, exiting",
                            Duration.ZERO);
                }
                String expected = Integer.toString(version);
                long okBefore = load.ok();
                Poll.until("only version " + expected + " served", Duration.ofSeconds(20),
                        () -> expected.equals(load.lastVersion()) && load.ok() > okBefore + 20);
                master = pidInFile();
            }
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
            for (int version = 1; version <= 6; version++) {
                assertTrue(load.versions().containsKey(Integer.toString(version)), "version " + version + " served: "
                        + load.versions());
            }
            System.out.println(app + ": 5 upgrades, " + load.ok() + " requests (" + load.slowOk() + " slow), 0 failed");
        }
        Set<Integer> expected = new HashSet<>(Processes.children(master));
        expected.add(master);
        assertEquals(expected, new HashSet<>(sandbox.survivors()), "only the last master and its workers remain");
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT"})
    void hungWorkersAreReplacedAndAStopDrainsAfterTheHealthDelay(App app) throws Exception {
        Sandbox.Run baton = start(app, "timeout = 3", "health-path = /health", "health-delay = 2");
        int port = baton.port();
        List<Integer> workers = Processes.children(baton.pid());

        int victim = workers.get(0);
        long stoppedAt = System.nanoTime();
        Processes.signal(victim, "STOP");
        Poll.until("stopped worker killed and a replacement spawned", Duration.ofSeconds(3 + 2),
                () -> !Processes.alive(victim) && Processes.children(baton.pid()).size() == 2);
        System.out.println(app + ": stopped worker replaced "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt) + " ms after SIGSTOP");
        Poll.until("replacement ready", BOOT, () -> baton.count("\\): ready in") >= 3);
        assertEquals(200, Http.get(port, "/health").status());

        try (Http slow = Http.connect(port); Http idle = Http.connect(port)) {
            assertFalse(idle.get("/").closes(), "a keep-alive connection, left idle from now on");
            slow.send("/slow?ms=3000");
            Poll.until("slow request accepted", Duration.ofSeconds(10),
                    () -> Processes.children(baton.pid()).stream().anyMatch(w -> Sockets.acceptedBy(w, port, slow.localPort())));
            long quitAt = System.nanoTime();
            baton.signal("QUIT");
            Poll.until("health path reports 503", Duration.ofSeconds(2), () -> status(port, "/health") == 503);
            if (app.readinessPath() != null) {
                Poll.until("the framework's readiness follows", Duration.ofSeconds(2),
                        () -> status(port, app.readinessPath()) == 503);
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(200, Http.get(port, "/").status(), "everything else is served during the delay");
            }
            Http.Response response = slow.receive();
            assertEquals(200, response.status(), "the request in flight finished");
            assertTrue(idle.closedByServer(), "the idle keep-alive connection was closed cleanly (FIN, not a reset)");
            assertEquals(0, baton.awaitExit(Duration.ofSeconds(30)));
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quitAt);
            assertTrue(stopMillis >= 2000, "drained only after the delay");
            // The idle connection closed after its grace, not at the graceful timeout (20 s).
            assertTrue(stopMillis < 12_000, "stopped " + stopMillis + " ms after QUIT");
        }
        assertFalse(Files.exists(config.pidFile), "pid file removed");
        assertEquals(List.of(), sandbox.survivors());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT"})
    void workersOfAKilledMasterExitWithinFiveSeconds(App app) throws Exception {
        Sandbox.Run baton = start(app);
        List<Integer> workers = Processes.children(baton.pid());
        baton.signal("KILL");
        baton.awaitExit(Duration.ofSeconds(5));
        Poll.until("orphaned workers gone", Duration.ofSeconds(5), () -> workers.stream().noneMatch(Processes::alive));
        assertEquals(List.of(), sandbox.survivors());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SPRING_BOOT"})
    void withoutAMasterTheJarIsAPlainApplication(App app) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(app.command());
        Sandbox.Run plain = sandbox.launch(Map.of("SERVER_PORT", Integer.toString(port),
                "BATON_LISTEN", "127.0.0.1:" + port), command);
        Http.Response response = Poll.until("serving on its own port", BOOT, () -> {
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

    private static int status(int port, String path) {
        try {
            return Http.get(port, path).status();
        } catch (IOException e) {
            return -1;
        }
    }
}
