package dev.baton.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A config file that runs an example app (hello unless told otherwise) under Baton; a test
 * rewrites it to stand for a deploy or a reload.
 */
final class HelloConfig {
    final Path file;
    final Path pidFile;
    private final String listen;
    private final App app;
    private boolean sharedJvmCache = true;

    HelloConfig(Sandbox sandbox) {
        this(sandbox, App.HELLO);
    }

    HelloConfig(Sandbox sandbox, App app) {
        this(sandbox.dir(), "127.0.0.1:0", app);
    }

    /** One node of several: its config and pid file in a directory of its own, on an address of its own. */
    HelloConfig(Path dir, String listen, App app) {
        this.file = dir.resolve("baton.conf");
        this.pidFile = dir.resolve("baton.pid");
        this.listen = listen;
        this.app = app;
    }

    /** The workers' JVM cache where Baton puts it by default, beside the pid file, instead of the suite's. */
    HelloConfig withDefaultJvmCache() {
        sharedJvmCache = false;
        return this;
    }

    /** The master's control socket, beside the pid file. */
    Path controlSocket() {
        return Path.of(pidFile + ".sock");
    }

    /**
     * The app answering {@code version=<version>}, with {@code workers} workers, plus extra lines;
     * an extra {@code command} line replaces the app's.
     */
    void write(String version, int workers, String... extra) throws IOException {
        List<String> lines = new ArrayList<>(List.of("listen = " + listen, "workers = " + workers, "pid = " + pidFile,
                "graceful-timeout = 20"));
        lines.addAll(List.of(extra));
        if (sharedJvmCache && lines.stream().noneMatch(line -> line.startsWith("jvm-cache ="))) {
            lines.add("jvm-cache = " + Sandbox.WORKER_CACHE);
        }
        if (lines.stream().noneMatch(line -> line.startsWith("command ="))) {
            lines.add("command = env HELLO_VERSION=" + version + " " + String.join(" ", app.command()));
        }
        Files.write(file, lines);
    }

    Sandbox.Run start(Sandbox sandbox) throws IOException {
        return sandbox.start(List.of("start", "--config", file.toString()));
    }
}
