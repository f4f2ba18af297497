package dev.baton.examples.netty;

import dev.baton.netty.BatonNetty;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * hello on Netty 4.2: answers with its version and pid, so a test can tell which generation and
 * which worker served a request.
 *
 * <ul>
 *   <li>{@code GET /}: {@code version=<HELLO_VERSION, default 1> pid=<pid>}
 *   <li>{@code GET /slow?ms=N}: the same, after N ms, from the event loop's timer
 * </ul>
 */
public final class Main {

    private static final long MAX_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private Main() {
    }

    public static void main(String[] args) {
        String version = System.getenv().getOrDefault("HELLO_VERSION", "1");
        String body = "version=" + version + " pid=" + ProcessHandle.current().pid() + "\n";
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()),
                        new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Hello(body));
                    }
                });
        BatonNetty.serve(bootstrap);
    }

    private static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String body;

        Hello(String body) {
            this.body = body;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            switch (uri.path()) {
                case "/" -> send(ctx, keepAlive, HttpResponseStatus.OK, body);
                case "/slow" -> {
                    long millis = delay(uri.parameters().get("ms"));
                    if (millis < 0) {
                        send(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST,
                                "ms must be an integer between 0 and " + MAX_DELAY_MILLIS + "\n");
                    } else {
                        ctx.executor().schedule(() -> send(ctx, keepAlive, HttpResponseStatus.OK, body),
                                millis, TimeUnit.MILLISECONDS);
                    }
                }
                default -> send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "not found\n");
            }
        }

        private static long delay(List<String> values) {
            if (values == null || values.isEmpty()) {
                return 0;
            }
            try {
                long millis = Long.parseLong(values.get(0));
                return millis >= 0 && millis <= MAX_DELAY_MILLIS ? millis : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String text) {
            FullHttpResponse response = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                    status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
