package dev.baton.tests;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (Debian package {@code haproxy}) in front of Baton nodes on loopback, configured
 * from examples/haproxy/haproxy.cfg: the example's health checks, timeouts and retries, with only
 * its addresses replaced by the test's ports, and a stats page the test reads servers' states from.
 */
final class HaProxy {
    static final Path EXAMPLE = Sandbox.HOME.resolve("examples/haproxy/haproxy.cfg");
    private static final Duration INSTALL = Duration.ofMinutes(8);

    final int port;
    private final int statsPort;
    private final Sandbox.Run process;

    private HaProxy(int port, int statsPort, Sandbox.Run process) {
        this.port = port;
        this.statsPort = statsPort;
        this.process = process;
    }

    /**
     * Null when HAProxy is installed or has just been installed ({@code apt-get update}, then
     * {@code apt-get install -y haproxy}); otherwise why it could not be.
     */
    static String installIfMissing() throws IOException, InterruptedException {
        if (runs("haproxy", "-v")) {
            return null;
        }
        if (!runs("apt-get", "update") || !runs("apt-get", "install", "-y", "haproxy")) {
            return "HAProxy is not installed and 'apt-get update && apt-get install -y haproxy' failed (not root? no network?)";
        }
        return runs("haproxy", "-v") ? null : "apt-get installed haproxy, but 'haproxy -v' still fails";
    }

    private static boolean runs(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException notFound) {
            return false;
        }
        if (!process.waitFor(INSTALL.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }

    /** The example's config, with a front end on {@code port} and one server per node port. */
    static String config(int port, int statsPort, Map<String, Integer> servers) throws IOException {
        StringBuilder config = new StringBuilder();
        for (String line : Files.readAllLines(EXAMPLE)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("server ")) {
                continue;
            }
            if (trimmed.startsWith("bind ")) {
                line = "    bind 127.0.0.1:" + port;
            }
            config.append(line).append('\n');
            if (trimmed.startsWith("default-server ")) {
                servers.forEach((name, p) -> config.append("    server ").append(name).append(" 127.0.0.1:").append(p)
                        .append(" check\n"));
            }
        }
        if (!config.toString().contains("default-server ") || !config.toString().contains("bind 127.0.0.1:" + port)) {
            throw new IllegalStateException(EXAMPLE + " no longer has the 'bind' and 'default-server' lines this test replaces");
        }
        config.append("\nlisten stats\n    bind 127.0.0.1:").append(statsPort).append("\n    stats enable\n    stats uri /stats\n");
        return config.toString();
    }

    static HaProxy start(Sandbox sandbox, int port, int statsPort, Map<String, Integer> servers) throws IOException {
        Path file = sandbox.dir().resolve("haproxy.cfg");
        Files.writeString(file, config(port, statsPort, servers));
        // -db: in the foreground, so the sandbox owns (and at the end kills) the process.
        Sandbox.Run process = sandbox.launch(Map.of(), List.of("haproxy", "-db", "-f", file.toString()));
        HaProxy haProxy = new HaProxy(port, statsPort, process);
        Poll.until("HAProxy answering on its stats port:\n" + process.log(), Sandbox.START, () -> haProxy.states() != null);
        return haProxy;
    }

    /** Each server's line of the stats CSV, by name; null while the stats page does not answer. */
    Map<String, Map<String, String>> stats() {
        List<String> lines;
        try {
            lines = Http.get(statsPort, "/stats;csv").body().lines().toList();
        } catch (IOException | RuntimeException notYet) {
            return null;
        }
        String[] columns = lines.get(0).replaceFirst("^# ", "").split(",", -1);
        Map<String, Map<String, String>> servers = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            if (values.length < columns.length || !values[0].equals("app") || values[1].equals("BACKEND")) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < columns.length; i++) {
                row.put(columns[i], values[i]);
            }
            servers.put(values[1], row);
        }
        return servers;
    }

    /** Each server's state as HAProxy's checks see it ("UP", "DOWN", "UP 1/2"...), or null. */
    Map<String, String> states() {
        Map<String, Map<String, String>> stats = stats();
        if (stats == null) {
            return null;
        }
        Map<String, String> states = new HashMap<>();
        stats.forEach((name, row) -> states.put(name, row.get("status")));
        return states;
    }

    String state(String server) {
        Map<String, String> states = states();
        return states == null ? null : states.get(server);
    }

    /** The server's connection retries and redispatches so far: failures HAProxy hid from clients. */
    String retries(String server) {
        Map<String, String> row = stats().get(server);
        return "retries " + row.get("wretr") + ", redispatches " + row.get("wredis");
    }

    String log() {
        return process.log();
    }
}
