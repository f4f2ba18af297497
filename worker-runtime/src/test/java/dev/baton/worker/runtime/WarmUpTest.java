package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Warm-up requests against a real listener: the JDK's own small HTTP server. */
class WarmUpTest {

    private final AtomicInteger hits = new AtomicInteger();
    private HttpServer target;

    @AfterEach
    void stop() {
        if (target != null) {
            target.stop(0);
        }
    }

    @Test
    void sendsEveryRequestAndCountsTheAnswered() throws Exception {
        InetSocketAddress address = serve(200);

        assertEquals(5, new WarmUp("/warm", 5, Duration.ofSeconds(10)).run(address));
        assertEquals(5, hits.get());
    }

    @Test
    void countsFailuresWithoutThrowing() throws Exception {
        InetSocketAddress address = serve(503);

        assertEquals(0, new WarmUp("/", 3, Duration.ofSeconds(10)).run(address));
        assertEquals(3, hits.get());
    }

    @Test
    void aClosedListenerIsAFailureNotAnError() throws Exception {
        InetSocketAddress address = serve(200);
        target.stop(0);
        target = null;

        assertEquals(0, new WarmUp("/", 2, Duration.ofSeconds(2)).run(address));
    }

    private InetSocketAddress serve(int status) throws IOException {
        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        target.start();
        return target.getAddress();
    }
}
