package dev.baton.bench;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a deploy without Baton costs at best: a cold {@code java -jar app.jar} (hello by default) from its spawn to
 * its first response. The yardstick the idle upgrades are read against, measured in the same run.
 */
final class ColdStart {
    private static final Duration BOUND = Duration.ofSeconds(60);

    private ColdStart() {
    }

    /** A cold start of {@code command} (which binds the port {@link App#listeningOn} gives it), in ms. */
    static long run(Sandbox sandbox, List<String> command) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        long start = System.nanoTime();
        Process process = sandbox.start(command, App.listeningOn(port),
                sandbox.dir().resolve("cold-start.log"));
        try {
            Poll.until("cold app answering on port " + port, BOUND, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("cold app exited with status " + process.exitValue());
                }
                try (Http connection = Http.connect(port, Duration.ofSeconds(2))) {
                    return connection.get("/", false).status() == 200 ? Boolean.TRUE : null;
                } catch (IOException notYet) {
                    return null;
                }
            });
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
