package dev.baton.bench;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * nginx answering every request with one fixed body: the overhead phase's ceiling, what this
 * machine serves over the same loopback with no JVM at all. Run in the foreground ({@code daemon
 * off}, so it is the sandbox's child) from a minimal config written in the sandbox: a master and
 * one worker per core (Undertow runs one IO thread per core), no access log, its error log in the
 * sandbox. Keep-alive connections are never closed for their request count, as Undertow never
 * closes them.
 */
final class NginxServer implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(30);

    private final Sandbox sandbox;
    private final Path nginx;
    private final Path config;
    private final Path log;
    private int port;
    private Process master;

    NginxServer(Sandbox sandbox, Path nginx) {
        this.sandbox = sandbox;
        this.nginx = nginx;
        this.config = sandbox.dir().resolve("nginx.conf");
        this.log = sandbox.dir().resolve("nginx.log");
    }

    /** Starts serving {@code body} on a free loopback port; returns once it answers. */
    void start(String body) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.writeString(config, config(body));
        master = sandbox.start(List.of(nginx.toString(), "-p", sandbox.dir().toString(), "-c", config.toString(),
                "-e", log.toString()), Map.of(), log);
        try {
            Poll.until("nginx answering on port " + port, START, () -> {
                if (!master.isAlive()) {
                    throw new IllegalStateException("nginx exited with status " + master.exitValue() + "; log:\n" + log());
                }
                return Http.status(port, "/") == 200;
            });
        } catch (AssertionError timedOut) {
            throw new IllegalStateException(timedOut.getMessage() + "; log:\n" + log());
        }
    }

    int port() {
        return port;
    }

    /** One worker per core, as Undertow has one IO thread per core. */
    static int workers() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** SIGTERM, nginx's fast shutdown; returns once the master and every worker are gone. */
    @Override
    public void close() {
        if (master == null) {
            return;
        }
        List<ProcessHandle> processes = Stream.concat(Stream.of(master.toHandle()), master.descendants()).toList();
        master.destroy();
        try {
            Poll.until("nginx's master and workers gone after SIGTERM", STOP,
                    () -> processes.stream().noneMatch(process -> Pids.alive(process.pid())));
        } catch (AssertionError stuck) {
            processes.forEach(ProcessHandle::destroyForcibly);
            throw new IllegalStateException(stuck.getMessage() + "; killed them");
        }
    }

    private String config(String body) {
        Path dir = sandbox.dir();
        return String.join("\n",
                "daemon off;",
                "master_process on;",
                "worker_processes " + workers() + ";",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + log + " warn;",
                "events { worker_connections 1024; }",
                "http {",
                "    access_log off;",
                "    keepalive_requests 1000000000;",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                "        location / {",
                "            default_type \"text/plain; charset=utf-8\";",
                "            return 200 \"" + quoted(body) + "\";",
                "        }",
                "    }",
                "}",
                "");
    }

    /**
     * {@code body} inside an nginx string, byte for byte where the config can say it: a newline
     * escaped, and every character nginx would read as the end of the string, an escape or a variable ({@code " \ $}), or
     * that is not printable ASCII, as a dot, so the length stays the same.
     */
    static String quoted(String body) {
        StringBuilder out = new StringBuilder();
        for (byte b : body.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c == '\n') {
                out.append("\\n");
            } else {
                out.append(c >= ' ' && c < 127 && "$\"\\".indexOf(c) < 0 ? c : '.');
            }
        }
        return out.toString();
    }

    private String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(none)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
