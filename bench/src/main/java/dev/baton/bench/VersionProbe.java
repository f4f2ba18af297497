package dev.baton.bench;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Tells when a version is first served: a GET on a new connection every 10 ms until the response
 * names that version. New connections, because an existing keep-alive connection would keep
 * talking to the old generation. Its requests are not part of the load and are not counted.
 */
final class VersionProbe {
    private static final int TIMEOUT_MILLIS = 2_000;

    private VersionProbe() {
    }

    /**
     * The wall-clock time (epoch ms) of the first response naming {@code version}. Throws once
     * {@code within} has passed, or as soon as {@code hopeless} says the version will never come.
     */
    static long awaitServed(int port, String version, Duration within, BooleanSupplier hopeless) {
        try {
            return Poll.until("version " + version + " served on port " + port, within, () -> {
                if (hopeless.getAsBoolean()) {
                    throw new IllegalStateException("version " + version + " will not be served");
                }
                try (Http connection = Http.connect(port, Duration.ofMillis(TIMEOUT_MILLIS))) {
                    Http.Response response = connection.get("/", false);
                    return response.status() == 200 && version.equals(response.version())
                            ? System.currentTimeMillis() : null;
                } catch (IOException notYet) {
                    return null;
                }
            });
        } catch (AssertionError timedOut) {
            throw new IllegalStateException(timedOut.getMessage());
        }
    }
}
