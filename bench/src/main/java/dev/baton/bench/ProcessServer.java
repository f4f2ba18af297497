package dev.baton.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server that is one JVM binding its own port ({@code BATON_LISTEN}), restarted the two ways
 * people restart such a server without a supervisor: stop then start (naive), or start the new one
 * first on the same port, then stop the old one (overlap; the command must bind with SO_REUSEPORT).
 * Stopping is SIGTERM, so the server's shutdown hook drains as best it can.
 */
final class ProcessServer implements Server {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(40);

    private final Sandbox sandbox;
    private final List<String> command;
    private final boolean overlap;
    private final Path log;
    private int port;
    private Process current;

    ProcessServer(Sandbox sandbox, List<String> command, boolean overlap, String name) {
        this.sandbox = sandbox;
        this.command = command;
        this.overlap = overlap;
        this.log = sandbox.dir().resolve(name + ".log");
    }

    @Override
    public void start() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        current = launch("1");
        awaitServed("1");
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public RestartTiming restart(String version) throws IOException, InterruptedException {
        long start = System.currentTimeMillis();
        Process old = current;
        long served;
        long gone;
        if (overlap) {
            current = launch(version);
            served = awaitServed(version);
            stop(old);
            gone = System.currentTimeMillis();
        } else {
            stop(old);
            gone = System.currentTimeMillis();
            current = launch(version);
            served = awaitServed(version);
        }
        return new RestartTiming(version, served - start, gone - start, -1);
    }

    @Override
    public void close() throws InterruptedException {
        if (current != null) {
            stop(current);
        }
    }

    private long awaitServed(String version) {
        Process starting = current;
        try {
            return VersionProbe.awaitServed(port, version, START, () -> !starting.isAlive());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ": the server exited; see " + log, e);
        }
    }

    private Process launch(String version) throws IOException {
        Map<String, String> environment = new HashMap<>(App.listeningOn(port));
        environment.put("HELLO_VERSION", version);
        return sandbox.start(command, environment, log);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("pid " + process.pid() + " still running " + STOP.toSeconds() + " s after SIGTERM");
        }
    }
}
