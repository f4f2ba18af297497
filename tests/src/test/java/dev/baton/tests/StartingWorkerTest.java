package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.baton.protocol.Command;
import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker starts accepting, then says it is ready, and the master reads that a moment later: in
 * between the master still sees it starting. Told then that the worker is no longer wanted (or
 * outdated by a reload), the master used to SIGKILL it, resetting what it had accepted: three
 * requests in one signal storm (SignalStormTest, JDK 25). {@link EarlyAcceptingWorker} holds that
 * moment open.
 */
class StartingWorkerTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void aWorkerNoLongerWantedWhileTheMasterSeesItStartingFinishesWhatItAccepted() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = location(EarlyAcceptingWorker.class) + File.pathSeparator + location(Command.class);
        Sandbox.Run baton = sandbox.start(List.of("start", "--listen", "127.0.0.1:0", "--workers", "1",
                "--boot-timeout", "120", "--", java, "-Xmx32m", "-XX:+UseSerialGC", "-cp", classPath,
                EarlyAcceptingWorker.class.getName()));
        int port = baton.port();
        Poll.until("the worker serving before it reports ready", WITHIN, () -> Http.status(port, "/") == 200 ? Boolean.TRUE : null);
        assertEquals(0, baton.count("worker 0 \\(pid \\d+\\): ready in"), "the master still sees it starting:\n" + baton.log());

        CompletableFuture<Integer> slow = CompletableFuture.supplyAsync(() -> Http.status(port, "/slow"));
        baton.awaitLog("early-accepting worker: serving /slow", WITHIN);
        baton.signal("TTOU");

        assertEquals(200, slow.get(WITHIN.toSeconds(), TimeUnit.SECONDS), "the request it had accepted:\n" + baton.log());
        baton.awaitLog("gen 1 worker 0 \\(pid \\d+\\): no longer wanted while starting: draining", WITHIN);
        baton.awaitLog("gen 1 worker 0 \\(pid \\d+\\): exited with status 0", WITHIN);
    }

    private static String location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
