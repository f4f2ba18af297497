package dev.baton.worker;

import dev.baton.testing.Http;
import dev.baton.worker.runtime.HealthPath;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A listening channel on 127.0.0.1 opened by the test, as a master would pass one, and the server
 * adopted on it: the path a worker takes, in process. After each test the server is drained
 * (idempotent: it waits for a drain the test started) and the channel closed.
 */
final class LoopbackServer implements BeforeEachCallback, AfterEachCallback {
    private ServerSocketChannel channel;
    private HttpWorkerServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        channel = ServerSocketChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (server != null) {
            server.drain(Duration.ZERO);
        }
        channel.close();
    }

    /** Adopts the channel and starts accepting. */
    HttpWorkerServer start(HttpHandler handler, ServeOptions options, HealthPath healthPath, Duration idleGrace)
            throws IOException {
        server = HttpWorkerServer.adopt(channel, handler, options, healthPath, idleGrace);
        server.startAccepting();
        return server;
    }

    ServerSocketChannel channel() {
        return channel;
    }

    Http connect() throws IOException {
        return Http.connect((InetSocketAddress) channel.getLocalAddress());
    }
}
