package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core: a master that owns the socket, worker JVMs that serve on it, stops and crashes. */
class MasterTest {
    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Sandbox.Run startHello(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("start", "--listen", "127.0.0.1:0"));
        args.addAll(List.of(options));
        args.add("--");
        args.addAll(Sandbox.hello());
        return sandbox.start(args).awaitReady();
    }

    @Test
    void twoWorkersChildrenOfTheMasterServeOnItsOnePort() throws Exception {
        Sandbox.Run baton = startHello("--workers", "2");
        int port = baton.port();
        List<Integer> workers = Processes.workers(baton.pid());
        assertEquals(2, workers.size(), "worker processes under the master: " + workers);

        Set<Integer> served = new HashSet<>();
        for (int i = 0; i < 400 && served.size() < 2; i++) {
            Http.Response response = Http.get(port, "/");
            assertEquals(200, response.status());
            served.add(response.pid());
        }
        assertEquals(new HashSet<>(workers), served, "pids in response bodies are the master's two workers");

        // One listening socket in the whole tree: the master's, shared by the workers.
        assertEquals(Set.of(port), Processes.listeningPorts(baton.pid()));
        for (int worker : workers) {
            assertEquals(Set.of(port), Processes.listeningPorts(worker), "worker " + worker + " listens only on the inherited socket");
        }
    }

    @Test
    void eachListenerIpv4AndIpv6HasWorkersOfItsOwn() throws Exception {
        Sandbox.Run baton = startHello("--listen", "[::1]:0", "--workers", "1");
        int v4 = baton.port();
        int v6 = Integer.parseInt(baton.awaitLog("listening on \\[::1\\]:(\\d+)", Sandbox.START).group(1));
        List<Integer> workers = Processes.workers(baton.pid());
        assertEquals(2, workers.size(), "one worker per listener: " + workers);
        Http.Response overV4 = Http.get("127.0.0.1", v4, "/");
        Http.Response overV6 = Http.get("::1", v6, "/");
        assertEquals(200, overV4.status());
        assertEquals(200, overV6.status());
        assertEquals(new HashSet<>(workers), Set.of(overV4.pid(), overV6.pid()));
        assertEquals(Set.of(v4, v6), Processes.listeningPorts(baton.pid()));
    }

    @Test
    void quitLetsAnInFlightRequestFinishThenEverythingExits() throws Exception {
        Path pidFile = sandbox.dir().resolve("baton.pid");
        Sandbox.Run baton = startHello("--workers", "2", "--pid", pidFile.toString());
        int port = baton.port();
        assertEquals(Integer.toString(baton.pid()), Files.readString(pidFile).trim());
        List<Integer> workers = Processes.workers(baton.pid());

        try (Http slow = Http.connect(port)) {
            slow.send("/slow?ms=2000");
            Poll.until("slow request accepted by a worker", Duration.ofSeconds(10),
                    () -> workers.stream().anyMatch(w -> Sockets.acceptedBy(w, port, slow.localPort())));
            baton.signal("QUIT");
            Http.Response response = slow.receive();
            assertEquals(200, response.status());
            assertTrue(response.closes(), "a response finished during the drain says Connection: close");
        }
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(20)));
        assertFalse(Files.exists(pidFile), "pid file removed");
        workers.forEach(w -> assertFalse(Processes.alive(w), "worker " + w + " gone"));
        assertEquals(List.of(), sandbox.survivors());
    }

    @Test
    void termStopsTheWholeTreeWithinTwoSeconds() throws Exception {
        Sandbox.Run baton = startHello("--workers", "2");
        List<Integer> tree = new ArrayList<>(Processes.children(baton.pid()));
        tree.add(baton.pid());
        long start = System.nanoTime();
        baton.signal("TERM");
        Poll.until("master and workers gone", Duration.ofSeconds(2), () -> tree.stream().noneMatch(Processes::alive));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) <= 2000);
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(1)));
        assertEquals(List.of(), sandbox.survivors());
    }

    @Test
    void aKilledWorkerIsReplacedWhileThePortKeepsAnswering() throws Exception {
        Sandbox.Run baton = startHello("--workers", "2");
        int port = baton.port();
        List<Integer> before = Processes.workers(baton.pid());
        int victim = before.get(0);

        Processes.signal(victim, "KILL");
        // Killed seconds after it got ready, it counts as a failed start: respawned after a short backoff.
        baton.awaitLog("worker \\d \\(pid " + victim + "\\): killed by SIGKILL( \\d+ ms after it was ready)?; respawning",
                Duration.ofSeconds(10));
        // The survivor serves while the replacement boots.
        for (int i = 0; i < 20; i++) {
            assertEquals(200, Http.get(port, "/").status());
        }
        List<Integer> after = Poll.until("a replacement worker ready", Sandbox.START, () -> {
            List<Integer> now = Processes.workers(baton.pid());
            return now.size() == 2 && !now.contains(victim) && baton.count("\\): ready in") >= 3 ? now : null;
        });
        assertTrue(after.contains(before.get(1)), "the other worker was left alone");
        Set<Integer> served = new HashSet<>();
        for (int i = 0; i < 400 && served.size() < 2; i++) {
            served.add(Http.get(port, "/").pid());
        }
        assertEquals(new HashSet<>(after), served);
    }

    @Test
    void workersOfAKilledMasterDrainAndExitByThemselves() throws Exception {
        Sandbox.Run baton = startHello("--workers", "2");
        List<Integer> workers = Processes.workers(baton.pid());
        baton.signal("KILL");
        baton.awaitExit(Duration.ofSeconds(5));
        Poll.until("orphaned workers gone", Duration.ofSeconds(5), () -> workers.stream().noneMatch(Processes::alive));
        assertEquals(List.of(), sandbox.survivors());
    }

    @Test
    void aWorkerGetsTheSocketItsControlChannelAndStdioAndNothingElse() throws Exception {
        Sandbox.Run baton = startHello("--workers", "1", "--pid", sandbox.dir().resolve("baton.pid").toString());
        int master = baton.pid();
        int worker = Processes.workers(master).get(0);
        Map<Integer, String> masterFds = Processes.fds(master);
        Map<Integer, String> workerFds = Processes.fds(worker);

        String listener = masterFds.values().stream().filter(Processes.listeningSockets()::containsKey).findFirst().orElseThrow();
        assertEquals(listener, workerFds.get(0), "fd 0 is the master's listening socket");
        assertEquals(masterFds.get(1), workerFds.get(1), "stdout is the master's");
        assertEquals(masterFds.get(2), workerFds.get(2), "stderr is the master's");
        assertTrue(workerFds.get(3).startsWith("pipe:"), "fd 3 is the control channel in: " + workerFds.get(3));
        assertTrue(workerFds.get(4).startsWith("pipe:"), "fd 4 is the control channel out: " + workerFds.get(4));

        // Anything else the worker holds, it opened itself: no socket, pipe or file of the master's.
        Set<String> allowed = new HashSet<>(List.of(listener, workerFds.get(3), workerFds.get(4), masterFds.get(1), masterFds.get(2)));
        Set<String> mastersOwn = new HashSet<>(masterFds.values());
        for (Map.Entry<Integer, String> fd : workerFds.entrySet()) {
            String target = fd.getValue();
            boolean kernelObject = target.startsWith("socket:") || target.startsWith("pipe:");
            // "anon_inode:[eventpoll]" names every process's epoll alike: the name cannot tell whose it is.
            if (allowed.contains(target) || !mastersOwn.contains(target) || target.startsWith("anon_inode:")) {
                continue;
            }
            assertFalse(kernelObject, "worker fd " + fd.getKey() + " is the master's " + target);
            assertFalse(target.contains("/supervisor/") || target.contains(".pid"),
                    "worker fd " + fd.getKey() + " is the master's file " + target);
        }
        assertTrue(workerFds.values().stream().noneMatch(t -> t.contains("baton.jar") || t.contains("jnr-")),
                "no supervisor jar leaked into the worker: " + workerFds);
    }

    @Test
    void aSecondQuitDuringTheDrainChangesNothing() throws Exception {
        Sandbox.Run baton = startHello("--workers", "1");
        int port = baton.port();
        try (Http slow = Http.connect(port)) {
            slow.send("/slow?ms=1500");
            int worker = Processes.workers(baton.pid()).get(0);
            Poll.until("slow request accepted", Duration.ofSeconds(10), () -> Sockets.acceptedBy(worker, port, slow.localPort()));
            baton.signal("QUIT");
            baton.signal("QUIT");
            assertEquals(200, slow.receive().status());
        }
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(20)));
    }
}
