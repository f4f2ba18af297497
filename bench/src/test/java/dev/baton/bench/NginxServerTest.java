package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The overhead phase's nginx, for real where Debian's package is installed (the benchmark installs
 * it as root; this test never does): it answers with the body it was given on a keep-alive
 * connection nginx would otherwise close after 1,000 requests, and neither stopping it nor closing
 * its sandbox leaves one of its processes behind.
 */
class NginxServerTest {
    private static final String BODY = "version=1 pid=4242\n";

    @Test
    void servesTheBodyItIsGivenOnOneKeepAliveConnectionPastNginxsDefaultLimit() throws Exception {
        try (Sandbox sandbox = new Sandbox(); NginxServer nginx = new NginxServer(sandbox, nginx())) {
            nginx.start(BODY);
            try (Http connection = Http.connect(nginx.port(), Duration.ofSeconds(5))) {
                for (int i = 0; i < 1_100; i++) {
                    Http.Response response = connection.get("/", true);
                    assertEquals(200, response.status());
                    assertEquals(BODY, response.body());
                    assertFalse(response.closes(), "request " + i + " closed the connection: " + response.headers());
                }
            }
        }
    }

    @Test
    void stoppingItEndsTheMasterAndEveryWorker() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            NginxServer nginx = new NginxServer(sandbox, nginx());
            List<ProcessHandle> processes;
            try (nginx) {
                nginx.start(BODY);
                processes = nginxProcesses(sandbox);
                assertEquals(1 + NginxServer.workers(), processes.size(), "master and workers: " + processes);
            }
            assertTrue(processes.stream().noneMatch(process -> Pids.alive(process.pid())), "left running: " + processes);
        }
    }

    /** What a Ctrl-C does: the sandbox closes while nginx runs, though nginx drops the sandbox's tag. */
    @Test
    void closingTheSandboxKillsAnNginxLeftRunning() throws Exception {
        List<ProcessHandle> processes;
        try (Sandbox sandbox = new Sandbox()) {
            NginxServer nginx = new NginxServer(sandbox, nginx());
            nginx.start(BODY);
            processes = nginxProcesses(sandbox);
        }
        assertTrue(processes.stream().noneMatch(process -> Pids.alive(process.pid())), "left running: " + processes);
    }

    @Test
    void quotingKeepsTheBodysLengthAndNothingNginxWouldInterpret() {
        assertEquals("version=1 pid=4242\\n", NginxServer.quoted(BODY));
        assertEquals("a.b.c.d", NginxServer.quoted("a$b\"c\\d"));
    }

    private static Path nginx() {
        Optional<Path> nginx = Nginx.find();
        assumeTrue(nginx.isPresent(), "nginx is not installed");
        return nginx.get();
    }

    /** The sandbox's nginx master, by the pid file its config names, and its workers, once all have started. */
    private static List<ProcessHandle> nginxProcesses(Sandbox sandbox) {
        Path pidFile = sandbox.dir().resolve("nginx.pid");
        return Poll.until("nginx's master and workers in " + sandbox.dir(), Poll.DEFAULT_BOUND, () -> {
            try {
                Optional<ProcessHandle> master = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
                List<ProcessHandle> processes = master.stream().flatMap(m -> Stream.concat(Stream.of(m), m.children())).toList();
                return processes.size() == 1 + NginxServer.workers() ? processes : null;
            } catch (IOException | NumberFormatException notYet) {
                return null;
            }
        });
    }
}
