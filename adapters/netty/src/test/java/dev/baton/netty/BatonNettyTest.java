package dev.baton.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import dev.baton.worker.runtime.Drain;
import dev.baton.worker.runtime.HealthPath;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Netty bootstrap registered on a socket it did not open, as a master's worker has it. */
class BatonNettyTest {

    private ServerSocketChannel inherited;
    private NettyWorkerServer worker;
    private boolean drained;

    @BeforeEach
    void listen() throws IOException {
        inherited = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void release() throws IOException {
        if (worker != null && !drained) {
            worker.stop();
        }
        inherited.close();
    }

    private int port() throws IOException {
        return ((InetSocketAddress) inherited.getLocalAddress()).getPort();
    }

    /** Answers "app" to everything, /slow after 500 ms on the event loop's timer. */
    private void register(HealthPath health) throws Exception {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new App());
                    }
                });
        worker = BatonNetty.start(bootstrap, inherited, null, health);
        worker.startAccepting();
    }

    @Test
    void theHealthPathIsAnsweredInFrontOfTheApplicationAndNotCounted() throws Exception {
        HealthPath health = HealthPath.of("/health");
        register(health);
        try (Http client = Http.connect(port())) {
            assertEquals("ok", client.get("/health").body());
            assertEquals("app", client.get("/").body());
            assertEquals("app", client.get("/health/not-quite").body());
            health.takeOutOfRotation();
            Http.Response out = client.get("/health");
            assertEquals(503, out.status());
            assertEquals("draining", out.body());
        }
        assertEquals(2, worker.completedRequests(), "only the application's requests count");
    }

    @Test
    void theDrainWaitsForARunningResponseClosesItsConnectionAndLeavesTheSocketOpen() throws Exception {
        HealthPath health = HealthPath.of(null);
        register(health);
        int[] leftOver = {-1};
        try (Http slow = Http.connect(port()); Http idle = Http.connect(port())) {
            assertEquals(200, idle.get("/").status());
            slow.send("/slow");
            Poll.until("the slow request running", () -> worker.inFlight() == 1);
            Thread drain = new Thread(() -> leftOver[0] = Drain.run(worker, health, Duration.ofSeconds(10), Duration.ofMillis(100)));
            drained = true;
            drain.start();
            Http.Response response = slow.receive();
            assertEquals(200, response.status());
            assertTrue(response.closes(), "keep-alive turned off during the drain");
            drain.join(10_000);
            assertFalse(drain.isAlive());
        }
        assertEquals(0, leftOver[0], "busy connections finished, idle ones were closed: none left at the timeout");
        assertTrue(inherited.isOpen(), "deregistered, not closed");
        inherited.configureBlocking(true); // Netty left it non-blocking; a sibling could accept on it now
        try (java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), port())) {
            inherited.accept().close();
        }
    }

    private static final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            long delay = request.uri().equals("/slow") ? 500 : 0;
            ctx.executor().schedule(() -> {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("app", StandardCharsets.US_ASCII));
                HttpUtil.setContentLength(response, 3);
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.writeAndFlush(response);
            }, delay, TimeUnit.MILLISECONDS);
        }
    }
}
