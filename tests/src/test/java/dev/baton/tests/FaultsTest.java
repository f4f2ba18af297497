package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Faults in the master's own process: what one event breaks is logged, and the master serves on. */
class FaultsTest {
    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private static void prlimit(int pid, String nofile) throws Exception {
        Process process = new ProcessBuilder("prlimit", "--pid", Integer.toString(pid), "--nofile=" + nofile)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), "prlimit: " + output);
    }

    private static String nofile(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/limits")).stream().filter(l -> l.startsWith("Max open files"))
                .map(l -> l.split("\\s{2,}")).map(f -> f[1] + ":").findFirst().orElseThrow();
    }

    @Test
    void outOfFdsARespawnFailsAndIsRetriedWhileTheOtherWorkersServe() throws Exception {
        HelloConfig hello = new HelloConfig(sandbox);
        hello.write("1", 2);
        Sandbox.Run baton = hello.start(sandbox).awaitReady();
        int master = baton.pid();
        int port = baton.port();
        String limit = nofile(master);
        List<Integer> workers = Processes.workers(master);
        int used = Processes.fds(master).size();
        // Room for nothing new: the respawn needs two pipes more than a reaped worker gives back.
        // Only the soft limit: raising a hard limit back needs CAP_SYS_RESOURCE.
        prlimit(master, used + ":");
        Processes.signal(workers.get(0), "KILL");
        baton.awaitLog("cannot start worker \\d: pipe2: Too many open files; respawning in \\d+ ms", Duration.ofSeconds(20));
        for (int i = 0; i < 20; i++) {
            Http.Response response = Http.get(port, "/");
            assertEquals(200, response.status());
            assertEquals(workers.get(1), response.pid(), "the other worker serves");
        }
        assertTrue(baton.alive(), "master survives");

        prlimit(master, limit);
        Poll.until("a new worker ready once fds are back", Duration.ofSeconds(60),
                () -> Processes.workers(master).size() == 2 && baton.count("ready in \\d+ ms") == 3);
        assertTrue(baton.alive());
        assertEquals(200, Http.get(port, "/").status());
    }
}
