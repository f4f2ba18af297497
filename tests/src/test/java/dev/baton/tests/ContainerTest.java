package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.testing.Http;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The master as a container's pid 1, in a pid namespace of its own (unshare; no container engine needed). */
class ContainerTest {
    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void asPidOneTheMasterReapsOrphansAndStillTakesSignalsFromOutside() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "a pid namespace needs root");
        // The worker command's subshell forks a sleep and exits at once: the sleep is orphaned,
        // and in a pid namespace orphans become children of pid 1, the master.
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--kill-child",
                Sandbox.LAUNCHER.toString(), "start", "--listen", "127.0.0.1:0", "--workers", "1", "--",
                "sh", "-c", "(sleep 0.3 &); exec \"$0\" \"$@\""));
        command.addAll(Sandbox.hello());
        Sandbox.Run unshare = sandbox.launch(Map.of(), command).awaitReady();
        List<Integer> inNamespace = Processes.children(unshare.pid());
        assertEquals(1, inNamespace.size(), "unshare's one child: the master");
        int master = inNamespace.get(0);
        unshare.awaitLog("master gen 1: started \\(pid 1\\)", Duration.ZERO);

        unshare.awaitLog("reaped orphan \\(pid \\d+\\), exited with status 0", Duration.ofSeconds(10));
        assertEquals(List.of(), Processes.zombies().stream().filter(z -> Processes.parent(z) == master).toList(),
                "no zombie left under the master");
        assertEquals(200, Http.get(unshare.port(), "/").status());

        Processes.signal(master, "QUIT");
        assertEquals(0, unshare.awaitExit(Duration.ofSeconds(30)));
        assertEquals(List.of(), sandbox.survivors());
    }
}
