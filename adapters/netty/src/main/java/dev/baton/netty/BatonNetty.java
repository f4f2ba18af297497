package dev.baton.netty;

import dev.baton.worker.runtime.Application;
import dev.baton.worker.runtime.HealthPath;
import dev.baton.worker.runtime.OpenConnections;
import dev.baton.worker.runtime.WorkerRuntime;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.bootstrap.ServerBootstrapConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a Netty 4.2 HTTP server as a Baton worker.
 *
 * <pre>{@code
 * ServerBootstrap bootstrap = new ServerBootstrap()
 *     .group(new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory()))
 *     .childHandler(new ChannelInitializer<SocketChannel>() {
 *         protected void initChannel(SocketChannel ch) {
 *             ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new MyHandler());
 *         }
 *     });
 * BatonNetty.serve(bootstrap);
 * }</pre>
 *
 * <p>Configure the bootstrap as usual but neither bind nor register it: under a master Baton
 * registers it on the socket the master passed it (an NIO event loop group is needed: the socket
 * arrives as a JDK channel), standalone it binds {@code BATON_LISTEN} (default {@code
 * 127.0.0.1:8080}). The child pipeline must contain Netty's {@link HttpServerCodec} (or an {@link
 * HttpRequestDecoder} and an {@link HttpResponseEncoder}); Baton puts its handler right behind it.
 */
public final class BatonNetty {

    private static final String HANDLER_NAME = "baton";

    private BatonNetty() {
    }

    /**
     * Serves {@code bootstrap}'s pipeline as this JVM's worker, with {@code application}'s readiness
     * check and hooks; does not return. The worker's life, and its end, are {@link
     * WorkerRuntime#serve}'s; a server that cannot start is reported by {@link
     * WorkerRuntime#cannotStart}.
     *
     * @throws IllegalArgumentException if the bootstrap has no group or no child handler
     */
    public static void serve(ServerBootstrap bootstrap, Application application) {
        ServerBootstrapConfig config = Objects.requireNonNull(bootstrap, "bootstrap").config();
        Objects.requireNonNull(application, "application");
        if (config.group() == null || config.childHandler() == null) {
            throw new IllegalArgumentException("the bootstrap needs group(...) and childHandler(...) before Baton serves it");
        }
        WorkerRuntime runtime = WorkerRuntime.current();
        NettyWorkerServer worker;
        try {
            worker = start(bootstrap, runtime.supervised() ? runtime.inheritedChannel() : null, runtime.listenAddress(),
                    runtime.healthPath());
        } catch (Exception e) {
            throw runtime.cannotStart(e);
        }
        runtime.serve(worker, application);
    }

    /**
     * Registers {@code bootstrap} on {@code inherited}, or binds it to {@code standalone} if that is
     * null, with Baton's handlers in its pipelines and accepting nothing yet.
     */
    static NettyWorkerServer start(ServerBootstrap bootstrap, ServerSocketChannel inherited,
            InetSocketAddress standalone, HealthPath health) throws Exception {
        ServerBootstrapConfig config = bootstrap.config();
        OpenConnections<Channel> connections = new OpenConnections<>(Channel::close);
        AtomicBoolean draining = new AtomicBoolean();
        // As the application configured it, for the warm-up listener: the config is a live view.
        ServerBootstrap original = bootstrap.clone();
        bootstrap.handler(serverHandler(config.handler(), connections))
                .childHandler(childHandler(config.childHandler(), health, connections, draining))
                // Registered or bound without accepting: accepts are reads, and start when the runtime says so.
                .option(ChannelOption.AUTO_READ, false);
        ChannelFuture started;
        if (inherited != null) {
            started = bootstrap.channelFactory(() -> new NioServerSocketChannel(inherited)).register();
        } else {
            if (config.channelFactory() == null) {
                bootstrap.channel(NioServerSocketChannel.class);
            }
            started = bootstrap.bind(standalone);
        }
        started.awaitUninterruptibly();
        if (!started.isSuccess()) {
            Throwable cause = started.cause();
            throw cause instanceof Exception e ? e : new IllegalStateException(cause);
        }
        return new NettyWorkerServer(started.channel(), inherited == null, connections, draining, original);
    }

    /** {@link #serve(ServerBootstrap, Application)} for an application that can take traffic once started. */
    public static void serve(ServerBootstrap bootstrap) {
        serve(bootstrap, new Application() { });
    }

    /**
     * Counts each accepted connection on the server channel's event loop, where Netty accepts it,
     * before the application's own server handler (if any) and Netty's hand-over to a child loop.
     */
    private static ChannelHandler serverHandler(ChannelHandler applicationHandler, OpenConnections<Channel> connections) {
        ChannelHandler counting = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Channel child) {
                    connections.opened(child);
                    child.closeFuture().addListener(closed -> connections.closed(child));
                }
                ctx.fireChannelRead(msg);
            }
        };
        if (applicationHandler == null) {
            return counting;
        }
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel server) {
                server.pipeline().addLast(counting, applicationHandler);
            }
        };
    }

    /** The application's child pipeline, then Baton's handler right behind its HTTP codec. */
    private static ChannelHandler childHandler(ChannelHandler applicationHandler, HealthPath health,
            OpenConnections<Channel> connections, AtomicBoolean draining) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel child) {
                ChannelPipeline pipeline = child.pipeline();
                // Runs the application's initializer at once: the channel is registered by now.
                pipeline.addLast(applicationHandler);
                pipeline.addAfter(codecName(pipeline), HANDLER_NAME,
                        new ConnectionHandler(health, connections, draining::get));
            }
        };
    }

    /** The name of the HTTP codec's last part in the pipeline. */
    private static String codecName(ChannelPipeline pipeline) {
        String decoder = null;
        String encoder = null;
        List<String> names = pipeline.names();
        for (String name : names) {
            ChannelHandler handler = pipeline.get(name);
            if (handler instanceof HttpServerCodec) {
                return name;
            }
            if (handler instanceof HttpRequestDecoder) {
                decoder = name;
            } else if (handler instanceof HttpResponseEncoder) {
                encoder = name;
            }
        }
        if (decoder == null || encoder == null) {
            throw new IllegalStateException("Baton needs Netty's HttpServerCodec (or HttpRequestDecoder and "
                    + "HttpResponseEncoder) in the child pipeline; found " + names);
        }
        return names.indexOf(decoder) > names.indexOf(encoder) ? decoder : encoder;
    }
}
