package dev.baton.protocol;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a master tells each worker through its environment: written by {@link #variables()} on the
 * master's side, read back by {@link #from(Map)} on the worker's. Parsing is strict: a worker that
 * misreads its generation or its timeout is worse than one that refuses to start.
 *
 * @param masterPid       the master's pid; its presence is what makes a process a supervised worker
 * @param generation      grows by one with each upgrade
 * @param worker          the worker's slot number within its generation
 * @param gracefulTimeout how long a drain may take before busy connections are closed regardless
 * @param warmupPath      path the worker requests itself before it takes traffic, or null
 * @param warmupRequests  how many warm-up requests (0 with no warm-up path)
 * @param healthPath      path the worker answers for load balancers, or null; see {@link Command#UNHEALTHY}
 */
public record WorkerEnvironment(
        int masterPid,
        int generation,
        int worker,
        Duration gracefulTimeout,
        String warmupPath,
        int warmupRequests,
        String healthPath) {

    public static final String MASTER_PID = "BATON_MASTER_PID";
    public static final String GENERATION = "BATON_GENERATION";
    public static final String WORKER = "BATON_WORKER";
    public static final String GRACEFUL_TIMEOUT_MS = "BATON_GRACEFUL_TIMEOUT_MS";
    public static final String WARMUP_PATH = "BATON_WARMUP_PATH";
    public static final String WARMUP_REQUESTS = "BATON_WARMUP_REQUESTS";
    public static final String HEALTH_PATH = "BATON_HEALTH_PATH";

    /** Every variable above: a master removes them from what it inherited before setting its own. */
    public static final List<String> NAMES = List.of(
            MASTER_PID, GENERATION, WORKER, GRACEFUL_TIMEOUT_MS, WARMUP_PATH, WARMUP_REQUESTS, HEALTH_PATH);

    public static final Duration DEFAULT_GRACEFUL_TIMEOUT = Duration.ofSeconds(30);
    /** The longest graceful timeout either side accepts; the master checks options against it. */
    public static final Duration MAX_GRACEFUL_TIMEOUT = Duration.ofDays(1);
    public static final int DEFAULT_WARMUP_REQUESTS = 10;
    /** The most warm-up requests either side accepts; the master checks options against it. */
    public static final int MAX_WARMUP_REQUESTS = 10_000;

    public WorkerEnvironment {
        Objects.requireNonNull(gracefulTimeout, "gracefulTimeout");
        if (gracefulTimeout.isNegative() || gracefulTimeout.compareTo(MAX_GRACEFUL_TIMEOUT) > 0) {
            throw new IllegalArgumentException("graceful timeout must be from 0 to "
                    + MAX_GRACEFUL_TIMEOUT.toSeconds() + " s, got " + gracefulTimeout.toMillis() + " ms");
        }
        warmupPath = absolutePath(warmupPath);
        healthPath = absolutePath(healthPath);
        if (warmupPath == null) {
            warmupRequests = 0;
        }
    }

    /** The variables to add to a worker's environment. */
    public Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(MASTER_PID, Integer.toString(masterPid));
        variables.put(GENERATION, Integer.toString(generation));
        variables.put(WORKER, Integer.toString(worker));
        variables.put(GRACEFUL_TIMEOUT_MS, Long.toString(gracefulTimeout.toMillis()));
        if (warmupPath != null) {
            variables.put(WARMUP_PATH, warmupPath);
            variables.put(WARMUP_REQUESTS, Integer.toString(warmupRequests));
        }
        if (healthPath != null) {
            variables.put(HEALTH_PATH, healthPath);
        }
        return variables;
    }

    /**
     * Reads a worker's environment; empty when no master started this process.
     *
     * @throws IllegalArgumentException naming the variable, if one is malformed
     */
    public static Optional<WorkerEnvironment> from(Map<String, String> env) {
        if (!present(env.get(MASTER_PID))) {
            return Optional.empty();
        }
        return Optional.of(parse(env, (int) number(env, MASTER_PID, 0, Integer.MAX_VALUE)));
    }

    /**
     * The same variables read for a process no master started (an application run on its own, in
     * development or a test): an operator may still set the paths and the timeout. Master pid,
     * generation and worker are 0.
     *
     * @throws IllegalArgumentException naming the variable, if one is malformed
     */
    public static WorkerEnvironment standalone(Map<String, String> env) {
        Map<String, String> own = new HashMap<>(env);
        own.keySet().removeAll(List.of(MASTER_PID, GENERATION, WORKER));
        return parse(own, 0);
    }

    private static WorkerEnvironment parse(Map<String, String> env, int masterPid) {
        String warmupPath = present(env.get(WARMUP_PATH)) ? env.get(WARMUP_PATH).strip() : null;
        long timeoutMillis = number(env, GRACEFUL_TIMEOUT_MS, DEFAULT_GRACEFUL_TIMEOUT.toMillis(),
                MAX_GRACEFUL_TIMEOUT.toMillis());
        return new WorkerEnvironment(
                masterPid,
                (int) number(env, GENERATION, 0, Integer.MAX_VALUE),
                (int) number(env, WORKER, 0, Integer.MAX_VALUE),
                Duration.ofMillis(timeoutMillis),
                warmupPath,
                warmupPath == null ? 0 : (int) number(env, WARMUP_REQUESTS, DEFAULT_WARMUP_REQUESTS, MAX_WARMUP_REQUESTS),
                present(env.get(HEALTH_PATH)) ? env.get(HEALTH_PATH).strip() : null);
    }

    public boolean warmsUp() {
        return warmupPath != null && warmupRequests > 0;
    }

    /** A missing leading slash is forgiven; blank means none. */
    private static String absolutePath(String path) {
        if (path == null || path.isBlank()) {
            return null;
        }
        String trimmed = path.strip();
        return trimmed.startsWith("/") ? trimmed : "/" + trimmed;
    }

    private static long number(Map<String, String> env, String name, long defaultValue, long max) {
        String value = env.get(name);
        if (!present(value)) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= 0 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from 0 to " + max + ", got '" + value + "'");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
