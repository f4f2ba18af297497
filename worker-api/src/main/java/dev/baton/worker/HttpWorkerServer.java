package dev.baton.worker;

import dev.baton.worker.runtime.Drain;
import dev.baton.worker.runtime.HealthPath;
import dev.baton.worker.runtime.ServerAdapter;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Undertow as a Baton worker's server: HTTP/1.1, assembled the way {@code Undertow.start()}
 * assembles it, except that its listening socket may be one it did not open (the master's), and
 * that it tracks connections so a drain knows which ones it may close.
 */
final class HttpWorkerServer implements ServerAdapter {

    /** How long a keep-alive connection must have been idle before a drain closes it. */
    static final Duration DEFAULT_IDLE_GRACE = Drain.IDLE_GRACE;

    private static final long WORKER_STOP_SECONDS = 5;

    private final XnioWorker worker;
    private final ByteBufferPool buffers;
    private final OptionMap undertowOptions;
    private final HttpHandler appHandler;
    private final ConnectionTracker tracker = new ConnectionTracker();
    private final CompletedRequests completed = new CompletedRequests();
    private final HealthPath healthPath;
    private final HealthEndpoint health;
    private final Duration idleGrace;
    private AcceptingChannel<StreamConnection> acceptor;
    private Runnable stopAccepting;
    private Runnable releaseSocket;
    private AcceptingChannel<StreamConnection> warmupListener;
    private boolean drained;

    /**
     * XNIO announces its version at INFO through JDK logging when the application uses no other
     * backend: two lines per worker start, in the master's log, that say nothing. Quietened only if
     * the application left that logger unconfigured; held here because JDK loggers are weakly
     * referenced and would forget the level.
     */
    private static final Logger XNIO_LOGGER = Logger.getLogger("org.xnio");

    static {
        if (XNIO_LOGGER.getLevel() == null) {
            XNIO_LOGGER.setLevel(Level.WARNING);
        }
    }

    private HttpWorkerServer(HttpHandler appHandler, ServeOptions options, HealthPath healthPath,
            Duration idleGrace) throws IOException {
        this.appHandler = appHandler;
        this.healthPath = healthPath;
        this.health = new HealthEndpoint(healthPath);
        this.idleGrace = idleGrace;
        this.worker = XnioBeans.leftOut(() -> Xnio.getInstance(HttpWorkerServer.class.getClassLoader())
                .createWorker(OptionMap.builder()
                        .set(Options.WORKER_IO_THREADS, options.ioThreads())
                        .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                        .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                        .set(Options.WORKER_TASK_CORE_THREADS, options.workerThreads())
                        .set(Options.WORKER_TASK_MAX_THREADS, options.workerThreads())
                        .set(Options.TCP_NODELAY, true)
                        .set(Options.CORK, true)
                        .getMap()));
        this.buffers = newBufferPool();
        this.undertowOptions = OptionMap.builder()
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, 60_000)
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .getMap();
    }

    /**
     * Serves on {@code channel}, already bound by someone else (the master, or a test). The channel
     * is never closed by this server, not even by a drain. Accepts start suspended. {@code
     * healthPath} is answered by the server itself, see {@link HealthEndpoint}.
     */
    static HttpWorkerServer adopt(ServerSocketChannel channel, HttpHandler handler,
            ServeOptions options, HealthPath healthPath, Duration idleGrace) throws IOException {
        HttpWorkerServer server = new HttpWorkerServer(handler, options, healthPath, idleGrace);
        try {
            XnioServerAdoption adoption =
                    XnioServerAdoption.adopt(server.worker, channel, server.socketOptions());
            server.listenOn(adoption.acceptor(), () -> {
                adoption.acceptor().suspendAccepts();
                adoption.detach();
            }, () -> { });
            return server;
        } catch (IOException | RuntimeException | Error e) {
            server.worker.shutdownNow();
            throw e;
        }
    }

    /**
     * Binds {@code address} itself, as {@code Undertow.start()} does (standalone mode); the drain
     * closes it. Accepts start suspended. {@code healthPath} as for {@link #adopt}.
     */
    static HttpWorkerServer bind(InetSocketAddress address, HttpHandler handler,
            ServeOptions options, HealthPath healthPath, Duration idleGrace) throws IOException {
        HttpWorkerServer server = new HttpWorkerServer(handler, options, healthPath, idleGrace);
        try {
            AcceptingChannel<StreamConnection> acceptor =
                    server.worker.createStreamConnectionServer(address, null, server.socketOptions());
            server.listenOn(acceptor, acceptor::suspendAccepts, () -> IoUtils.safeClose(acceptor));
            return server;
        } catch (IOException | RuntimeException | Error e) {
            server.worker.shutdownNow();
            throw e;
        }
    }

    private void listenOn(AcceptingChannel<StreamConnection> acceptor, Runnable stopAccepting,
            Runnable releaseSocket) {
        HttpOpenListener openListener = new HttpOpenListener(buffers, undertowOptions);
        // Health checks inside the tracker, so that during a drain they too say Connection: close.
        openListener.setRootHandler(
                tracker.counting(new DateHeader(health.answering(completed.counting(appHandler)))));
        acceptor.getAcceptSetter().set(
                ChannelListeners.openListenerAdapter(tracker.tracking(openListener)));
        this.acceptor = acceptor;
        this.stopAccepting = stopAccepting;
        this.releaseSocket = releaseSocket;
    }

    @Override
    public InetSocketAddress localAddress() {
        return acceptor.getLocalAddress(InetSocketAddress.class);
    }

    @Override
    public void startAccepting() {
        acceptor.resumeAccepts();
    }

    @Override
    public int inFlight() {
        return tracker.inFlight();
    }

    boolean draining() {
        return tracker.draining();
    }

    @Override
    public long completedRequests() {
        return completed.count();
    }

    /**
     * The task pool blocking handlers dispatch to (the XNIO worker executes on it), then each IO
     * thread.
     */
    @Override
    public List<Executor> requestThreads() {
        List<Executor> threads = new ArrayList<>();
        threads.add(worker);
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
            threads.add(worker.getIoThread(i));
        }
        return threads;
    }

    /** A listener of our own on an ephemeral loopback port, serving the application's handler untracked. */
    @Override
    public InetSocketAddress openWarmupListener() {
        HttpOpenListener openListener = new HttpOpenListener(buffers, undertowOptions);
        openListener.setRootHandler(new DateHeader(appHandler));
        ChannelListener<AcceptingChannel<StreamConnection>> accept =
                ChannelListeners.openListenerAdapter(openListener);
        try {
            warmupListener = worker.createStreamConnectionServer(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), accept, socketOptions());
            warmupListener.resumeAccepts();
            return warmupListener.getLocalAddress(InetSocketAddress.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void closeWarmupListener() {
        IoUtils.safeClose(warmupListener);
        warmupListener = null;
    }

    @Override
    public void closeAfterEachResponse() {
        tracker.startDrain();
    }

    /**
     * Suspends accepts, then runs a no-op through every IO thread: connections XNIO accepted just
     * before are handed to our listener by tasks already queued there, so once the no-op has run
     * behind them, the tracker knows every connection.
     */
    @Override
    public void stopAccepting() {
        stopAccepting.run();
        int threads = worker.getIoThreadCount();
        CountDownLatch passed = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            worker.getIoThread(i).execute(passed::countDown);
        }
        try {
            passed.await(WORKER_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int openConnections() {
        return tracker.openConnections();
    }

    @Override
    public void closeIdleConnections(Duration idleFor) {
        tracker.closeIdle(idleFor.toNanos());
    }

    @Override
    public void closeAllConnections() {
        tracker.closeAll();
    }

    /** Closes our own listener (standalone), then stops the XNIO worker; the master's socket stays open. */
    @Override
    public void stop() {
        // Before stopping the worker: closing an XNIO server waits for its IO thread.
        releaseSocket.run();
        stopWorker();
        buffers.close();
    }

    /**
     * {@link Drain#run} with this server's idle grace; once only, later calls return 0 at once
     * (the standalone shutdown hook and a test may both ask).
     */
    synchronized int drain(Duration timeout) {
        if (drained) {
            return 0;
        }
        drained = true;
        return Drain.run(this, healthPath, timeout, idleGrace);
    }

    private void stopWorker() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(WORKER_STOP_SECONDS, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private OptionMap socketOptions() {
        return OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, worker.getIoThreadCount())
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BALANCING_TOKENS, 1)
                .set(Options.BALANCING_CONNECTIONS, 2)
                .set(Options.BACKLOG, 1000)
                .getMap();
    }

    /** Undertow's own sizing: small heaps get small heap buffers. */
    private static ByteBufferPool newBufferPool() {
        long maxMemory = Runtime.getRuntime().maxMemory();
        if (maxMemory < 64L * 1024 * 1024) {
            return new DefaultByteBufferPool(false, 512, -1, 4);
        }
        if (maxMemory < 128L * 1024 * 1024) {
            return new DefaultByteBufferPool(true, 1024, -1, 4);
        }
        return new DefaultByteBufferPool(true, 16 * 1024 - 20, -1, 4);
    }
}
