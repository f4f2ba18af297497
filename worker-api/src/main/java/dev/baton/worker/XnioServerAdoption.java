package dev.baton.worker;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.ServerSocketChannel;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Lets XNIO accept on a listening socket it did not open, and let go of it without closing it.
 *
 * <p>Why this exists: the master binds the socket and passes it to every worker on fd 0, but XNIO
 * 3.8 can only create a TCP server by opening and binding one itself. Its package-private
 * {@code NioTcpServer}, wrapped in {@code QueuedNioTcpServer2}, is exactly what
 * {@code NioXnioWorker.createTcpConnectionServer} builds, minus the bind; we build the same pair by
 * reflection (same class loader, no JVM flags). Closing that server would close the inherited
 * channel, which the JDK answers by pointing fds 0, 1 and 2 at /dev/null; so to let go we only
 * cancel the server's selection key instead.
 *
 * <p>This depends on XNIO internals, which is why the root pom pins xnio-nio to
 * {@value #PINNED_XNIO_VERSION} and a test fails if that version moves. Re-check the constructor
 * signatures ({@code javap -p}) before changing it.
 */
final class XnioServerAdoption {

    static final String PINNED_XNIO_VERSION = "3.8.16.Final";

    private static final String NIO = "org.xnio.nio.";

    private final Object tcpServer;
    private final AcceptingChannel<StreamConnection> acceptor;

    private XnioServerAdoption(Object tcpServer, AcceptingChannel<StreamConnection> acceptor) {
        this.tcpServer = tcpServer;
        this.acceptor = acceptor;
    }

    /**
     * Wraps {@code channel}, which must already be bound and listening. Accepts start suspended,
     * as with {@code XnioWorker.createStreamConnectionServer}.
     */
    static XnioServerAdoption adopt(XnioWorker worker, ServerSocketChannel channel, OptionMap options)
            throws IOException {
        channel.configureBlocking(false);
        Object tcpServer;
        Object queued;
        try {
            Class<?> workerClass = Class.forName(NIO + "NioXnioWorker");
            Class<?> tcpServerClass = Class.forName(NIO + "NioTcpServer");
            Class<?> queuedClass = Class.forName(NIO + "QueuedNioTcpServer2");
            if (!workerClass.isInstance(worker)) {
                throw new IllegalStateException("XNIO worker is " + worker.getClass().getName()
                        + ", not the NIO implementation (is xnio-nio on the class path?)");
            }
            Constructor<?> newTcpServer = tcpServerClass.getDeclaredConstructor(
                    workerClass, ServerSocketChannel.class, OptionMap.class, boolean.class);
            Constructor<?> newQueued = queuedClass.getDeclaredConstructor(tcpServerClass);
            newTcpServer.setAccessible(true);
            newQueued.setAccessible(true);
            // true = accept on the worker's accept thread only, as createTcpConnectionServer does.
            tcpServer = newTcpServer.newInstance(worker, channel, options, true);
            queued = newQueued.newInstance(tcpServer);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            throw versionMismatch(cause);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw versionMismatch(e);
        }
        @SuppressWarnings("unchecked")
        AcceptingChannel<StreamConnection> acceptor = (AcceptingChannel<StreamConnection>) queued;
        return new XnioServerAdoption(tcpServer, acceptor);
    }

    AcceptingChannel<StreamConnection> acceptor() {
        return acceptor;
    }

    /**
     * Stops XNIO selecting on the channel, synchronously, leaving the channel open. When this
     * returns no further connection will be accepted from it by this worker: connections stay in
     * the kernel's backlog for the other workers. Must not be called on an XNIO IO thread.
     */
    void detach() {
        try {
            Method getHandle = tcpServer.getClass().getDeclaredMethod("getHandle", int.class);
            getHandle.setAccessible(true);
            Object handle = getHandle.invoke(tcpServer, 0); // one handle: the accept thread's
            Method cancelKey = Class.forName(NIO + "NioHandle")
                    .getDeclaredMethod("cancelKey", boolean.class);
            cancelKey.setAccessible(true);
            cancelKey.invoke(handle, true); // true = wait until the selector has dropped the key
        } catch (InvocationTargetException e) {
            throw versionMismatch(e.getCause());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw versionMismatch(e);
        }
    }

    /** The xnio-nio actually on the class path, for messages and the pinning test. */
    static String xnioNioVersion() {
        try {
            return org.xnio.nio.Version.getVersionString();
        } catch (LinkageError e) {
            return "unknown";
        }
    }

    private static IllegalStateException versionMismatch(Throwable cause) {
        return new IllegalStateException("cannot adopt the listening socket: Baton needs xnio-nio "
                + PINNED_XNIO_VERSION + " internals, found xnio-nio " + xnioNioVersion()
                + " (" + cause + ")", cause);
    }
}
