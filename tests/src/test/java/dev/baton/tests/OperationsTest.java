package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an operator does between deploys: HUP, TTIN/TTOU, WINCH, USR1, hung workers, recycling, the control socket. */
class OperationsTest {
    private static final Duration ROLL = Duration.ofSeconds(60);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig hello;
    private Path config;
    private Path pidFile;

    private void configure(String version, int workers, String... extra) throws IOException {
        hello.write(version, workers, extra);
    }

    private Sandbox.Run startHello(int workers, String... extra) throws IOException {
        return startUnready(workers, extra).awaitReady();
    }

    private Sandbox.Run startUnready(int workers, String... extra) throws IOException {
        hello = new HelloConfig(sandbox);
        config = hello.file;
        pidFile = hello.pidFile;
        configure("1", workers, extra);
        return hello.start(sandbox);
    }

    private Path socket() {
        return Path.of(pidFile + ".sock");
    }

    private String status() {
        return Control.request(socket(), "status");
    }

    private Set<Integer> workerPids() {
        Set<Integer> pids = new HashSet<>();
        Control.workers(status()).forEach(w -> pids.add(w.pid()));
        return pids;
    }

    private Sandbox.Result cli(String... args) throws Exception {
        return sandbox.run(Duration.ofSeconds(60), List.of(args));
    }

    @Test
    void hupRollsEveryWorkerUnderLoadWithoutDroppingCapacityOrRequests() throws Exception {
        Sandbox.Run baton = startHello(2);
        int port = baton.port();
        Set<Integer> before = workerPids();
        try (Load load = new Load(port, 2, 2, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            configure("2", 2);
            baton.signal("HUP");
            long[] fewestReady = {Long.MAX_VALUE};
            Poll.until("every worker replaced by one serving version 2", ROLL, () -> {
                String status = status();
                fewestReady[0] = Math.min(fewestReady[0], Control.ready(status));
                List<Control.Worker> workers = Control.workers(status);
                return workers.size() == 2 && Control.ready(status) == 2
                        && workers.stream().noneMatch(w -> before.contains(w.pid())) && "2".equals(load.lastVersion());
            });
            assertTrue(fewestReady[0] >= 2, "at every sample at least 2 workers were ready; fewest: " + fewestReady[0]);
            Poll.until("more requests after the roll", Duration.ofSeconds(10), () -> load.versions().get("2").get() > 100);
            load.close();
            assertEquals(List.of(), load.failures());
        }
        before.forEach(pid -> assertFalse(Processes.alive(pid), "replaced worker " + pid + " gone"));
        assertEquals(1, baton.count("HUP from pid \\d+: reloaded"));

        Sandbox.Result json = cli("status", "--json", "--config", config.toString());
        assertEquals(0, json.exitCode(), json.output());
        assertTrue(json.output().contains("\"workers_serving\":2"), json.output());

        // A config that does not parse changes nothing, and says why.
        Set<Integer> serving = workerPids();
        Files.writeString(config, Files.readString(config) + "wokers = 3\n");
        Sandbox.Result reload = cli("reload", "--pid", pidFile.toString());
        assertEquals(1, reload.exitCode(), reload.output());
        assertTrue(reload.output().contains("unknown key 'wokers'"), reload.output());
        baton.awaitLog("reload request: config not reloaded, nothing changed", Duration.ofSeconds(5));
        assertEquals(serving, workerPids());
    }

    @Test
    void ttinTtouAndWinchChangeTheWorkerCountWhileTheSocketStaysOpen() throws Exception {
        Sandbox.Run baton = startHello(1);
        int port = baton.port();
        int first = Processes.workers(baton.pid()).get(0);

        baton.signal("TTIN");
        Poll.until("two workers ready", Sandbox.START, () -> Control.ready(status()) == 2);
        assertEquals(2, Processes.workers(baton.pid()).size());

        baton.signal("TTOU");
        Poll.until("back to the first worker alone", Sandbox.START, () -> Processes.workers(baton.pid()).equals(List.of(first)));

        baton.signal("WINCH");
        Poll.until("no workers", Sandbox.START, () -> Processes.workers(baton.pid()).isEmpty());
        assertTrue(baton.alive());
        assertEquals(Set.of(port), Processes.listeningPorts(baton.pid()), "the master keeps the socket");
        // A client connecting now waits in the backlog until workers are back.
        CompletableFuture<Http.Response> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return Http.get(port, "/");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Sandbox.Result scale = cli("scale", "2", "--pid", pidFile.toString());
        assertEquals(0, scale.exitCode(), scale.output());
        assertTrue(scale.output().contains("ok workers=2"), scale.output());
        assertEquals(200, waiting.get(30, TimeUnit.SECONDS).status());
        Poll.until("two workers ready again", Sandbox.START, () -> Control.ready(status()) == 2);

        Sandbox.Result stop = cli("stop", "--pid", pidFile.toString());
        assertEquals(0, stop.exitCode(), stop.output());
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(5)));
        assertEquals(List.of(), sandbox.survivors());
    }

    @Test
    void usr1ReopensTheLogFileForTheMasterAndItsWorkers() throws Exception {
        Path log = sandbox.dir().resolve("baton.log");
        Sandbox.Run baton = startUnready(1, "log = " + log);
        Poll.until("log file written", Sandbox.START, () -> read(log).contains("all 1 workers ready"));
        Path rotated = sandbox.dir().resolve("baton.log.1");
        Files.move(log, rotated);

        baton.signal("USR1");
        Poll.until("new log file with the master's and the worker's lines", Duration.ofSeconds(10),
                () -> read(log).contains("USR1 from pid") && read(log).contains("worker 0: reopening logs"));
        assertTrue(read(rotated).contains("worker 0: ready"), "the old file kept what was written before");
        assertFalse(read(rotated).contains("USR1 from pid"), "nothing written to the rotated file after USR1");
        assertEquals("", baton.log(), "nothing on stderr with --log");
    }

    @Test
    void aStoppedWorkerIsReplacedWithinTheTimeoutButAnIdleOneNever() throws Exception {
        Sandbox.Run baton = startHello(2, "timeout = 3");
        List<Integer> workers = Processes.workers(baton.pid());

        // Idle for well over the timeout: heartbeats keep both workers alive.
        long idleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (System.nanoTime() - idleUntil < 0) {
            assertEquals(workers, Processes.workers(baton.pid()), "an idle worker is left alone");
            Poll.pause(20);
        }
        assertEquals(0, baton.count("hung"));

        int victim = workers.get(0);
        long stoppedAt = System.nanoTime();
        Processes.signal(victim, "STOP");
        Poll.until("stopped worker killed and a replacement spawned", Duration.ofSeconds(3 + 2), () ->
                !Processes.alive(victim) && Processes.workers(baton.pid()).size() == 2);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        baton.awaitLog("\\(pid " + victim + "\\): hung: no heartbeat for \\d+ ms \\(--timeout 3 s\\); it is stopped", Duration.ZERO);
        Poll.until("replacement ready", Sandbox.START, () -> Control.ready(status()) == 2);
        assertTrue(Processes.workers(baton.pid()).contains(workers.get(1)), "the healthy worker was left alone");
        System.out.println("stopped worker replaced " + millis + " ms after SIGSTOP");
    }

    @Test
    void aWorkerWhoseRequestThreadsAreAllStuckIsDumpedKilledAndReplaced() throws Exception {
        // Two request threads, both about to be stuck in a handler.
        Sandbox.Run baton = startHello(1, "timeout = 3", "command = env HELLO_WORKER_THREADS=2 " + String.join(" ", Sandbox.hello()));
        int port = baton.port();
        int victim = Processes.workers(baton.pid()).get(0);

        List<Http> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Http connection = Http.connect(port);
                stuck.add(connection);
                connection.send("/block?ms=600000");
            }
            baton.awaitLog("\\(pid " + victim + "\\): hung: no heartbeat for \\d+ ms \\(--timeout 3 s\\); asking it for a thread dump",
                    Duration.ofSeconds(3 + 5));
            baton.awaitLog("Full thread dump", Duration.ofSeconds(5));
            Processes.awaitGone(victim, Duration.ofSeconds(5));
        } finally {
            for (Http connection : stuck) {
                connection.close();
            }
        }
        Poll.until("replacement ready", Sandbox.START, () -> Control.ready(status()) == 1);
        assertEquals(200, Http.get(port, "/").status());
    }

    @Test
    void maxRequestsRecyclesWorkersUnderLoadWithoutAFailedRequest() throws Exception {
        Sandbox.Run baton = startHello(2, "max-requests = 100");
        try (Load load = new Load(baton.port(), 2, 2, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("four workers recycled", ROLL,
                    () -> baton.count("recycled after \\d+ requests \\(--max-requests 100\\): replaced: draining") >= 4);
            load.close();
            assertEquals(List.of(), load.failures());
            assertTrue(load.ok() > 400);
        }
        Poll.until("two workers ready", Sandbox.START, () -> Control.ready(status()) == 2);
    }

    @Test
    void aStoppingNodeReports503OnItsHealthPathBeforeItStopsAccepting() throws Exception {
        Sandbox.Run baton = startHello(2, "health-path = /health", "health-delay = 3");
        int port = baton.port();
        assertEquals(200, Http.get(port, "/health").status());
        assertEquals("ok", Http.get(port, "/health").body().trim());

        long quitAt = System.nanoTime();
        baton.signal("QUIT");
        Poll.until("health path reports 503", Duration.ofSeconds(2), () -> Http.status(port, "/health") == 503);
        // Meanwhile the node still accepts and serves everything else: the balancer has not caught up yet.
        for (int i = 0; i < 20; i++) {
            assertEquals(200, Http.get(port, "/").status());
        }
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(30)));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quitAt) >= 3000, "workers drained only after the delay");
        assertEquals(List.of(), sandbox.survivors());
    }

    @Test
    void theControlSocketIsPrivateAndSurvivesGarbage() throws Exception {
        startHello(1);
        Path socket = socket();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        byte[] long_ = new byte[5000];
        Arrays.fill(long_, (byte) 'x');
        assertTrue(Control.exchange(socket, long_).startsWith("error request too long"));
        assertTrue(Control.exchange(socket, new byte[] {0, 1, 2, (byte) 0xff, '\n'}).startsWith("error"));
        assertTrue(Control.request(socket, "frobnicate").startsWith("error unknown request 'frobnicate'"));
        assertTrue(Control.request(socket, "scale lots").startsWith("error scale takes a number"));
        assertTrue(status().contains("\"workers_serving\":1"), "the master still answers");

        assumeTrue("root".equals(System.getProperty("user.name")), "another uid is needed: run as root to test it");
        Files.setPosixFilePermissions(sandbox.dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path probe = sandbox.dir().resolve("Probe.java");
        Files.writeString(probe, """
                import java.net.*;
                import java.nio.*;
                import java.nio.channels.*;
                public class Probe {
                    public static void main(String[] args) throws Exception {
                        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                            c.connect(UnixDomainSocketAddress.of(args[0]));
                            c.write(ByteBuffer.wrap("status\\n".getBytes()));
                            ByteBuffer b = ByteBuffer.allocate(4096);
                            while (c.read(b) >= 0) { }
                            System.out.print(new String(b.array(), 0, b.position()));
                        } catch (Exception e) {
                            System.out.print("refused: " + e.getMessage());
                        }
                    }
                }
                """);
        // File mode 0600: another user cannot even connect.
        assertTrue(asNobody(probe, socket).startsWith("refused: Permission denied"));
        // And should the mode be loosened, the master checks the peer's uid.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals("error only user root may control this master\n", asNobody(probe, socket));
        assertTrue(status().contains("\"workers_serving\":1"));
    }

    private String asNobody(Path probe, Path socket) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                java, probe.toString(), socket.toString()).redirectErrorStream(true);
        builder.environment().put(Processes.TAG, sandbox.tag());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe finished");
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
