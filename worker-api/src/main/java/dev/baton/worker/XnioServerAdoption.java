package dev.baton.worker;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * reflection or method handles (same class loader, no JVM flags). Closing that server would close
 * the inherited channel, which the JDK answers by pointing fds 0, 1 and 2 at /dev/null; so to let
 * go we only cancel the server's selection key instead.
 *
 * <p>This depends on XNIO internals, which is why the root pom pins xnio-nio to
 * {@value #PINNED_XNIO_VERSION} and a test fails if that version moves. Re-check the constructor
 * signatures ({@code javap -p}) before changing it.
 */
final class XnioServerAdoption {

    static final String PINNED_XNIO_VERSION = "3.8.16.Final";

    private static final String NIO = "org.xnio.nio.";
    /**
     * From JDK 18 core reflection is built on method handles (JEP 416), and a first
     * {@code newInstance} spins a dozen of them; handles made to fit, invoked exactly, spin two. A
     * worker on JDK 25 gets ready 14 ms sooner with them; on JDK 17, whose reflection calls native
     * code at first, they cost 8 ms instead (medians of 36 and 24 workers, A/B).
     */
    private static final int REFLECTION_BY_HANDLES = 18;

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
            // true = accept on the worker's accept thread only, as createTcpConnectionServer does.
            if (Runtime.version().feature() < REFLECTION_BY_HANDLES) {
                Constructor<?> newTcpServer = tcpServerClass.getDeclaredConstructor(
                        workerClass, ServerSocketChannel.class, OptionMap.class, boolean.class);
                Constructor<?> newQueued = queuedClass.getDeclaredConstructor(tcpServerClass);
                newTcpServer.setAccessible(true);
                newQueued.setAccessible(true);
                tcpServer = newTcpServer.newInstance(worker, channel, options, true);
                queued = newQueued.newInstance(tcpServer);
            } else {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(tcpServerClass, MethodHandles.lookup());
                MethodHandle newTcpServer = lookup.findConstructor(tcpServerClass, MethodType.methodType(void.class,
                                workerClass, ServerSocketChannel.class, OptionMap.class, boolean.class))
                        .asType(MethodType.methodType(Object.class, XnioWorker.class, ServerSocketChannel.class,
                                OptionMap.class, boolean.class));
                MethodHandle newQueued = lookup.findConstructor(queuedClass, MethodType.methodType(void.class, tcpServerClass))
                        .asType(MethodType.methodType(Object.class, Object.class));
                try {
                    tcpServer = (Object) newTcpServer.invokeExact(worker, channel, options, true);
                    queued = (Object) newQueued.invokeExact(tcpServer);
                } catch (IOException | RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw new InvocationTargetException(t);
                }
            }
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
