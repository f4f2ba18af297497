package dev.baton.netty;

import dev.baton.worker.runtime.HealthPath;
import dev.baton.worker.runtime.OpenConnections;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Baton's handler in each connection's pipeline, right behind the HTTP codec, so that it sees
 * requests and responses as the codec does, before the application's aggregators: answers health
 * checks, tells the drain when a request begins and ends, and during a drain makes every response
 * close its connection. Everything here runs on the connection's event loop.
 */
final class ConnectionHandler extends ChannelDuplexHandler {

    private final HealthPath health;
    private final OpenConnections<Channel> connections;
    private final BooleanSupplier draining;
    /** Content of a request that is not the application's (a health check, a closing connection). */
    private boolean swallowing;
    private boolean closeAfterResponse;

    ConnectionHandler(HealthPath health, OpenConnections<Channel> connections, BooleanSupplier draining) {
        this.health = health;
        this.connections = connections;
        this.draining = draining;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            if (!connections.requestStarted(ctx.channel())) {
                // The drain chose this idle connection for closing as the request arrived: the
                // client sees the connection close without an answer, as with any idle close.
                swallowing = true;
            } else if (health.path() != null
                    && health.matches(request.method().name(), new QueryStringDecoder(request.uri()).path())) {
                swallowing = true;
                answerHealthCheck(ctx, request);
            } else {
                swallowing = false;
            }
        }
        if (!swallowing) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof LastHttpContent || !(msg instanceof HttpContent || msg instanceof HttpRequest)) {
            swallowing = false;
        }
        ReferenceCountUtil.release(msg);
    }

    private void answerHealthCheck(ChannelHandlerContext ctx, HttpRequest request) {
        int code = health.status(); // read once: status and body must agree
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                HttpResponseStatus.valueOf(code),
                Unpooled.copiedBuffer(HealthPath.body(code), StandardCharsets.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !draining.getAsBoolean();
        HttpUtil.setKeepAlive(response, keepAlive);
        Channel channel = ctx.channel();
        ctx.writeAndFlush(response).addListener(done -> {
            connections.requestFinished(channel, false);
            if (!keepAlive) {
                channel.close();
            }
        });
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean interim = msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof HttpResponse response && !interim) {
            if (draining.getAsBoolean()) {
                HttpUtil.setKeepAlive(response, false);
            }
            closeAfterResponse = !HttpUtil.isKeepAlive(response);
        }
        if (msg instanceof LastHttpContent && !interim) {
            Channel channel = ctx.channel();
            boolean close = closeAfterResponse;
            promise = promise.unvoid().addListener(done -> connections.requestFinished(channel, true));
            if (close) {
                // The response said Connection: close; applications that only close when the
                // request asked for it would otherwise leave the connection open.
                promise.addListener(ChannelFutureListener.CLOSE);
            }
        }
        ctx.write(msg, promise);
    }
}
