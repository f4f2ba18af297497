package dev.baton.worker;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * What the master (or the operator, standalone) tells a worker through its environment. Parsed
 * once, strictly: a worker that misreads its generation or timeout is worse than one that refuses
 * to start.
 */
record WorkerEnv(
        boolean supervised,
        int generation,
        int workerNumber,
        Duration gracefulTimeout,
        String warmupPath,
        int warmupRequests,
        String healthPath,
        String listen) {

    static final String MASTER_PID = "BATON_MASTER_PID";
    static final String GENERATION = "BATON_GENERATION";
    static final String WORKER = "BATON_WORKER";
    static final String GRACEFUL_TIMEOUT = "BATON_GRACEFUL_TIMEOUT";
    static final String WARMUP_PATH = "BATON_WARMUP_PATH";
    static final String WARMUP_REQUESTS = "BATON_WARMUP_REQUESTS";
    /**
     * The path load balancers poll; null when the operator configured none. Answered by the
     * worker itself, never by the application: 200 while in rotation, 503 once being taken out.
     */
    static final String HEALTH_PATH = "BATON_HEALTH_PATH";
    static final String LISTEN = "BATON_LISTEN";

    static final int DEFAULT_GRACEFUL_TIMEOUT_SECONDS = 30;
    static final int DEFAULT_WARMUP_REQUESTS = 10;
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
        boolean supervised = present(env.get(MASTER_PID));
        String warmupPath = path(env, WARMUP_PATH);
        String listen = present(env.get(LISTEN)) ? env.get(LISTEN).trim() : DEFAULT_LISTEN;
        parseListen(listen); // fail at start-up, not at bind time
        return new WorkerEnv(
                supervised,
                supervised ? nonNegative(env, GENERATION, 0) : 0,
                supervised ? nonNegative(env, WORKER, 0) : 0,
                Duration.ofSeconds(nonNegative(env, GRACEFUL_TIMEOUT, DEFAULT_GRACEFUL_TIMEOUT_SECONDS)),
                warmupPath,
                warmupPath == null ? 0 : nonNegative(env, WARMUP_REQUESTS, DEFAULT_WARMUP_REQUESTS),
                path(env, HEALTH_PATH),
                listen);
    }

    boolean warmsUp() {
        return warmupPath != null && warmupRequests > 0;
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

    /** An absolute request path, or null if unset; a missing leading slash is forgiven. */
    private static String path(Map<String, String> env, String name) {
        String value = env.get(name);
        if (!present(value)) {
            return null;
        }
        value = value.trim();
        return value.startsWith("/") ? value : "/" + value;
    }

    private static int nonNegative(Map<String, String> env, String name, int defaultValue) {
        String value = env.get(name);
        if (!present(value)) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException(name + " must be a non-negative integer, got '" + value + "'");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
