package dev.baton.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The application the benchmark serves: one of the examples, which all answer {@code /} and {@code
 * /slow?ms=N} alike. All the benchmark knows of one is its jar and its JVM flags; adding an example
 * is one line.
 */
enum App {
    HELLO("hello", "-Xmx64m"),
    SPRING_BOOT("spring-boot", "-Xmx160m"),
    JETTY("jetty", "-Xmx64m"),
    NETTY("netty", "-Xmx64m");

    final String label;
    private final List<String> jvmFlags;

    App(String label, String... jvmFlags) {
        this.label = label;
        this.jvmFlags = List.of(jvmFlags);
    }

    static App of(String label) {
        for (App app : values()) {
            if (app.label.equals(label)) {
                return app;
            }
        }
        throw new IllegalArgumentException("unknown app '" + label + "' (one of hello, spring-boot, jetty, netty)");
    }

    /**
     * The environment that makes any example bind {@code 127.0.0.1:port} on its own: Baton's
     * adapters read BATON_LISTEN, a Spring Boot application server.address and server.port.
     */
    static Map<String, String> listeningOn(int port) {
        return Map.of("BATON_LISTEN", "127.0.0.1:" + port, "SERVER_ADDRESS", "127.0.0.1",
                "SERVER_PORT", Integer.toString(port));
    }

    /** {@code examples/<app>/target/<app>.jar}, relative to the checkout. */
    String jar() {
        return "examples/" + label + "/target/" + label + ".jar";
    }

    /** The command every phase runs the application with, supervised or bare. */
    List<String> command(String java, Path home) {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", home.resolve(jar()).toString()));
        return command;
    }
}
