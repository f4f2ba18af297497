package dev.baton.bench;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * An XNIO accepting channel on a socket bound with SO_REUSEPORT, for the overlap-restart baseline.
 *
 * <p>Why reflection: XNIO 3.8 cannot set SO_REUSEPORT ({@code NioXnioWorker.createTcpConnectionServer}
 * opens, sets SO_REUSEADDR and binds, nothing more), and Undertow only binds through it. So we open
 * and bind the channel with the JDK, which can, and hand it to the package-private
 * {@code NioTcpServer} wrapped in {@code QueuedNioTcpServer2}: the pair createTcpConnectionServer
 * builds, minus its bind. worker-api adopts Baton's inherited socket the same way; xnio-nio is
 * pinned in the root pom.
 */
final class ReusePortAcceptor {
    private static final String NIO = "org.xnio.nio.";
    private static final int BACKLOG = 1024; // Baton's listener uses the same

    private ReusePortAcceptor() {
    }

    /** Binds {@code address} with SO_REUSEPORT; accepts start suspended. */
    @SuppressWarnings("unchecked")
    static AcceptingChannel<StreamConnection> bind(XnioWorker worker, InetSocketAddress address, OptionMap options)
            throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address, BACKLOG);
            channel.configureBlocking(false);
            Class<?> workerClass = Class.forName(NIO + "NioXnioWorker");
            Class<?> serverClass = Class.forName(NIO + "NioTcpServer");
            Constructor<?> newServer = serverClass.getDeclaredConstructor(
                    workerClass, ServerSocketChannel.class, OptionMap.class, boolean.class);
            Constructor<?> newQueued = Class.forName(NIO + "QueuedNioTcpServer2").getDeclaredConstructor(serverClass);
            newServer.setAccessible(true);
            newQueued.setAccessible(true);
            // true: accept on the worker's accept thread only, as createTcpConnectionServer does.
            return (AcceptingChannel<StreamConnection>) newQueued.newInstance(newServer.newInstance(worker, channel, options, true));
        } catch (InvocationTargetException e) {
            channel.close();
            throw new IOException("cannot wrap the channel in XNIO: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            channel.close();
            throw new IllegalStateException("xnio-nio internals differ from 3.8.16.Final: " + e, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
