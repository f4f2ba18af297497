package dev.baton.master;

import dev.baton.net.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Everything a master is configured with, validated. Immutable. */
public record Settings(
        List<ListenAddress> listen,
        int workers,
        Path pidFile,
        Duration gracefulTimeout,
        Duration bootTimeout,
        Handoff handoff,
        String warmupPath,
        int warmupRequests,
        List<String> command) {

    public Settings {
        listen = List.copyOf(listen);
        command = List.copyOf(command);
    }
}
