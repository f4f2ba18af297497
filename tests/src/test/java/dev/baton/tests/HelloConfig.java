package dev.baton.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A config file that runs a hello application (any that answers {@code version=$HELLO_VERSION}) under
 * Baton; a test rewrites it to stand for a deploy or a reload.
 */
final class HelloConfig {
    final Path file;
    final Path pidFile;
    private final List<String> command;

    /** The Undertow hello. */
    HelloConfig(Sandbox sandbox) {
        this(sandbox, Sandbox.hello());
    }

    /** Another hello: {@code command} is its worker command line. */
    HelloConfig(Sandbox sandbox, List<String> command) {
        this.file = sandbox.dir().resolve("baton.conf");
        this.pidFile = sandbox.dir().resolve("baton.pid");
        this.command = List.copyOf(command);
    }

    /** The master's control socket, beside the pid file. */
    Path controlSocket() {
        return Path.of(pidFile + ".sock");
    }

    /**
     * The application answering {@code version=<version>}, with {@code workers} workers, plus
     * extra lines; an extra {@code command} line replaces the application's.
     */
    void write(String version, int workers, String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of("listen = 127.0.0.1:0", "workers = " + workers, "pid = " + pidFile,
                "graceful-timeout = 20"));
        lines.addAll(List.of(extra));
        if (lines.stream().noneMatch(line -> line.startsWith("command ="))) {
            lines.add("command = env HELLO_VERSION=" + version + " " + String.join(" ", command));
        }
        Files.write(file, lines);
    }

    Sandbox.Run start(Sandbox sandbox) throws IOException {
        return sandbox.start(List.of("start", "--config", file.toString()));
    }
}
