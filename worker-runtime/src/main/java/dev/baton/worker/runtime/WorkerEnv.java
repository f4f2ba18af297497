package dev.baton.worker.runtime;

import dev.baton.protocol.WorkerEnvironment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What this JVM was told through its environment: by a master ({@link WorkerEnvironment}), or,
 * standalone, by the operator ({@code BATON_LISTEN} and the same optional paths and timeout).
 */
record WorkerEnv(Optional<WorkerEnvironment> master, WorkerEnvironment settings, String listen) {

    static final String LISTEN = "BATON_LISTEN";
    static final String DEFAULT_LISTEN = "127.0.0.1:8080";

    private static volatile WorkerEnv current;

    /** The environment of this JVM; throws {@link IllegalStateException} naming a bad variable. */
    static WorkerEnv current() {
        WorkerEnv env = current;
        if (env == null) {
            env = from(System.getenv());
            current = env;
        }
        return env;
    }

    static WorkerEnv from(Map<String, String> env) {
        String listen = env.get(LISTEN) != null && !env.get(LISTEN).isBlank() ? env.get(LISTEN).trim() : DEFAULT_LISTEN;
        parseListen(listen); // fail at start-up, not at bind time
        try {
            Optional<WorkerEnvironment> master = WorkerEnvironment.from(env);
            return new WorkerEnv(master, master.orElseGet(() -> WorkerEnvironment.standalone(env)), listen);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    boolean supervised() {
        return master.isPresent();
    }

    int generation() {
        return settings.generation();
    }

    int workerNumber() {
        return settings.worker();
    }

    Duration gracefulTimeout() {
        return settings.gracefulTimeout();
    }

    String warmupPath() {
        return settings.warmupPath();
    }

    int warmupRequests() {
        return settings.warmupRequests();
    }

    String healthPath() {
        return settings.healthPath();
    }

    boolean warmsUp() {
        return settings.warmsUp();
    }

    /** BATON_LISTEN as an address to bind; resolves the host. */
    InetSocketAddress listenAddress() {
        return parseListen(listen);
    }

    /** {@code host:port}, {@code [v6]:port} or a bare {@code port} (meaning 127.0.0.1). */
    static InetSocketAddress parseListen(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : value.substring(0, colon);
        String portText = value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalStateException(LISTEN + " must be host:port, got '" + value + "'");
        }
        return new InetSocketAddress(host, port);
    }
}
