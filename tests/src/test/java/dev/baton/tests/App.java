package dev.baton.tests;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The example applications the end-to-end tests run under Baton: one per server Baton adapts.
 * Each answers {@code GET /} with {@code version=<HELLO_VERSION> pid=<pid>} and {@code GET
 * /slow?ms=N} after N ms, so every test can run against any of them. Adding a server is a row.
 */
enum App {
    HELLO("hello", "-Xmx64m", Duration.ofSeconds(30), null),
    SPRING_BOOT("spring-boot", "-Xmx160m", Duration.ofSeconds(60), "/actuator/health/readiness"),
    JETTY("jetty", "-Xmx64m", Duration.ofSeconds(30), null),
    NETTY("netty", "-Xmx64m", Duration.ofSeconds(30), null);

    private final Path jar;
    private final String heap;
    private final Duration boot;
    private final String readinessPath;

    App(String name, String heap, Duration boot, String readinessPath) {
        this.jar = Sandbox.HOME.resolve("examples/" + name + "/target/" + name + ".jar");
        this.heap = heap;
        this.boot = boot;
        this.readinessPath = readinessPath;
    }

    /** The worker command, with test-sized JVM flags. */
    List<String> command() {
        return command("java");
    }

    /**
     * The worker command run by {@code java}. The property is what JDK 24+'s
     * --sun-misc-unsafe-memory-access sets, and JDK 17 does not reject it: libraries that call
     * sun.misc.Unsafe (Undertow's jboss-threads) would otherwise warn in every worker's first lines.
     */
    List<String> command(String java) {
        return List.of(java, "-Dsun.misc.unsafe.memory.access=allow", heap, "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xss512k", "-jar", jar.toString());
    }

    /** Without Baton, as a developer runs it: {@code java -jar}. */
    Path jar() {
        return jar;
    }

    /** How long two workers may take to get ready, on a busy 2-core machine. */
    Duration boot() {
        return boot;
    }

    /** Where the framework reports its own readiness, which Baton flips with the health path; or null. */
    String readinessPath() {
        return readinessPath;
    }
}
