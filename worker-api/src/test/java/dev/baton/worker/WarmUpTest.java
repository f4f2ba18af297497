package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    @Test
    void sendsTheRequestsToAPrivateListenerThenClosesIt() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        AtomicInteger privatePort = new AtomicInteger();
        try (ServerSocketChannel shared = ServerSocketChannel.open()) {
            shared.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HttpWorkerServer server = HttpWorkerServer.adopt(shared, exchange -> {
                if (exchange.getRelativePath().equals("/warm")) {
                    hits.incrementAndGet();
                }
                privatePort.set(exchange.getDestinationAddress().getPort());
                exchange.getResponseSender().send("ok");
            }, ServeOptions.defaults(), null, HttpWorkerServer.DEFAULT_IDLE_GRACE);
            try {
                int ok = new WarmUp("/warm", 5, Duration.ofSeconds(10)).run(server);

                assertEquals(5, ok);
                assertEquals(5, hits.get());
                assertEquals(0, server.completedRequests(), "warm-up is not traffic");
                int sharedPort = ((InetSocketAddress) shared.getLocalAddress()).getPort();
                assertEquals(false, privatePort.get() == sharedPort, "served on the shared socket");
                assertThrows(ConnectException.class, () -> connect(privatePort.get()),
                        "the private listener is closed afterwards");
            } finally {
                server.drain(Duration.ZERO);
            }
        }
    }

    @Test
    void countsFailuresWithoutThrowing() throws Exception {
        try (ServerSocketChannel shared = ServerSocketChannel.open()) {
            shared.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HttpWorkerServer server = HttpWorkerServer.adopt(shared, exchange -> {
                exchange.setStatusCode(503);
                exchange.endExchange();
            }, ServeOptions.defaults(), null, HttpWorkerServer.DEFAULT_IDLE_GRACE);
            try {
                assertEquals(0, new WarmUp("/", 3, Duration.ofSeconds(10)).run(server));
            } finally {
                server.drain(Duration.ZERO);
            }
        }
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getInputStream();
        }
    }
}
