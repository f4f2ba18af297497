package dev.baton.worker.runtime;

/**
 * The rules for a load balancer's health checks on {@code BATON_HEALTH_PATH}: {@code GET} or
 * {@code HEAD} of exactly that path is answered by the worker, in front of the application: {@code
 * 200 ok} while the node is in rotation, {@code 503 draining} once it is being taken out. The
 * worker answers rather than the application because only it knows the node is about to stop, and
 * a balancer must see the 503 while the node still serves everything else.
 *
 * <p>Each adapter answers with its server's own API; what it answers comes from here.
 */
public final class HealthPath {

    private final String path;
    private volatile boolean outOfRotation;

    private HealthPath(String path) {
        this.path = path;
    }

    /** Rules for {@code path}; null for none. Workers get theirs from {@link WorkerRuntime#healthPath()}. */
    public static HealthPath of(String path) {
        return new HealthPath(path);
    }

    /** Whether a request is a health check; always false when no health path is configured. */
    public boolean matches(String method, String requestPath) {
        return path != null && path.equals(requestPath) && ("GET".equals(method) || "HEAD".equals(method));
    }

    /** 200 in rotation, 503 once out. Read {@link #status()} once per check, then {@link #body(int)}. */
    public int status() {
        return outOfRotation ? 503 : 200;
    }

    /** The plain-text body for a status {@link #status()} returned. */
    public static String body(int status) {
        return status == 200 ? "ok" : "draining";
    }

    /** The configured path, or null. */
    public String path() {
        return path;
    }

    /**
     * From now on checks answer 503. There is no way back: the node is about to stop. The runtime
     * calls this on the master's {@code unhealthy} and at every drain.
     */
    public void takeOutOfRotation() {
        outOfRotation = true;
    }
}
