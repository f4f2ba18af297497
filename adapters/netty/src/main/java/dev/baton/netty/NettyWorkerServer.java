package dev.baton.netty;

import dev.baton.worker.runtime.OpenConnections;
import dev.baton.worker.runtime.TrackingServerAdapter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A registered Netty server channel as a Baton worker's server: what the runtime drives. */
final class NettyWorkerServer extends TrackingServerAdapter<Channel> {

    private static final long WAIT_SECONDS = 5;

    private final Channel serverChannel;
    private final boolean ownsSocket;
    private final EventLoopGroup group;
    private final EventLoopGroup childGroup;
    private final ChannelHandler applicationChildHandler;
    private final Map<ChannelOption<?>, Object> childOptions;
    private final AtomicBoolean draining;
    private Channel warmup;

    NettyWorkerServer(Channel serverChannel, boolean ownsSocket, OpenConnections<Channel> connections,
            AtomicBoolean draining, ServerBootstrap application) {
        super(connections);
        this.draining = draining;
        this.serverChannel = serverChannel;
        this.ownsSocket = ownsSocket;
        this.group = application.config().group();
        this.childGroup = application.config().childGroup();
        this.applicationChildHandler = application.config().childHandler();
        this.childOptions = application.config().childOptions();
    }

    /** Accepts are reads on a server channel: it was registered with auto-read off. */
    @Override
    public void startAccepting() {
        serverChannel.config().setAutoRead(true);
    }

    /**
     * Turns auto-read off, then waits for a no-op on the server channel's event loop: that is
     * where Netty accepts and where {@link BatonNetty} counts accepted connections, so every
     * connection accepted before is counted once it has run.
     */
    @Override
    public void stopAccepting() {
        serverChannel.config().setAutoRead(false);
        serverChannel.eventLoop().submit(() -> { }).awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void closeAfterEachResponse() {
        draining.set(true);
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Lets go of the master's socket by deregistering it from its event loop (closing a Netty
     * channel closes the JDK channel under it), then shuts the event loops down.
     */
    @Override
    public void stop() {
        if (ownsSocket) {
            serverChannel.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        } else {
            serverChannel.deregister().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        Set<EventLoopGroup> groups = new LinkedHashSet<>(List.of(childGroup, group)); // often one and the same
        groups.forEach(loops -> loops.shutdownGracefully(0, WAIT_SECONDS, TimeUnit.SECONDS));
        groups.forEach(loops -> loops.terminationFuture().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /** Requests run on the child event loops. */
    @Override
    public List<Executor> requestThreads() {
        List<Executor> loops = new ArrayList<>();
        for (EventExecutor loop : childGroup) {
            loops.add(loop);
        }
        return loops;
    }

    /** The application's pipeline, untracked, on a server channel of its own on an ephemeral loopback port. */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public InetSocketAddress openWarmupListener() {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group, childGroup)
                .channel(NioServerSocketChannel.class).childHandler(applicationChildHandler);
        childOptions.forEach((option, value) -> bootstrap.childOption((ChannelOption) option, value));
        warmup = bootstrap.bind(InetAddress.getLoopbackAddress(), 0).syncUninterruptibly().channel();
        return (InetSocketAddress) warmup.localAddress();
    }

    @Override
    public void closeWarmupListener() {
        if (warmup != null) {
            warmup.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
            warmup = null;
        }
    }
}
