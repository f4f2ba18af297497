package dev.baton.bench;

import dev.baton.testing.Poll;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The SO_REUSEPORT baseline's server ({@code Main reuseport-hello}): hello's two routes on
 * Undertow, bound to {@code BATON_LISTEN} with SO_REUSEPORT so a new process can bind the same
 * port while this one still serves. hello itself cannot: it binds through XNIO, which has no such
 * option.
 *
 * <p>On SIGTERM it drains as well as this design allows, so the baseline's failures are the
 * design's, not a careless shutdown's: close the listening socket, answer everything from then on
 * with {@code Connection: close}, let running requests finish and give keep-alive clients a 1 s
 * grace to notice, then exit. What it cannot avoid: with SO_REUSEPORT every process has an accept
 * queue of its own, and the kernel resets the connections still queued on the socket it closes.
 */
final class ReusePortHello {
    private static final long GRACE_MILLIS = 1_000;
    private static final long DRAIN_MILLIS = 30_000;

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

    private ReusePortHello() {
    }

    static void run() throws Exception {
        String listen = System.getenv().getOrDefault("BATON_LISTEN", "127.0.0.1:8080");
        String body = "version=" + System.getenv().getOrDefault("HELLO_VERSION", "1")
                + " pid=" + ProcessHandle.current().pid() + "\n";
        int colon = listen.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
        new ReusePortHello().serve(address, body);
    }

    private void serve(InetSocketAddress address, String body) throws Exception {
        // Undertow's defaults, as hello gets them through worker-api.
        int ioThreads = Math.max(Runtime.getRuntime().availableProcessors(), 2);
        XnioWorker worker = Xnio.getInstance(ReusePortHello.class.getClassLoader()).createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, ioThreads * 8)
                .set(Options.WORKER_TASK_MAX_THREADS, ioThreads * 8)
                .set(Options.TCP_NODELAY, true)
                .getMap());
        AcceptingChannel<StreamConnection> acceptor = ReusePortAcceptor.bind(worker, address,
                OptionMap.builder().set(Options.WORKER_IO_THREADS, ioThreads).set(Options.TCP_NODELAY, true).getMap());
        // The buffers worker-api picks for hello's -Xmx64m heap, so both serve alike.
        HttpOpenListener open = new HttpOpenListener(new DefaultByteBufferPool(true, 1024, -1, 4), OptionMap.EMPTY);
        open.setRootHandler(tracked(hello(body)));
        acceptor.getAcceptSetter().set(ChannelListeners.openListenerAdapter(open));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(acceptor, worker), "drain"));
        acceptor.resumeAccepts();
        System.err.println("reuseport-hello: listening on " + address);
        Thread.currentThread().join(); // the shutdown hook ends the JVM
    }

    private void drain(AcceptingChannel<StreamConnection> acceptor, XnioWorker worker) {
        IoUtils.safeClose(acceptor);
        draining.set(true);
        long start = System.nanoTime();
        while (true) {
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            if ((waited >= GRACE_MILLIS && inFlight.get() == 0) || waited >= DRAIN_MILLIS) {
                break;
            }
            Poll.pause(10);
        }
        worker.shutdownNow();
    }

    /** Counts running requests; while draining, every response closes its connection. */
    private HttpHandler tracked(HttpHandler next) {
        return exchange -> {
            inFlight.incrementAndGet();
            exchange.addExchangeCompleteListener((done, proceed) -> {
                inFlight.decrementAndGet();
                proceed.proceed();
            });
            exchange.addResponseCommitListener(committing -> {
                if (draining.get()) {
                    committing.setPersistent(false);
                }
            });
            next.handleRequest(exchange);
        };
    }

    /** hello's routes: {@code /} and {@code /slow?ms=N}, answered from the IO thread. */
    private static HttpHandler hello(String body) {
        return exchange -> {
            switch (exchange.getRelativePath()) {
                case "/" -> send(exchange, body);
                case "/slow" -> {
                    Deque<String> ms = exchange.getQueryParameters().get("ms");
                    long millis = ms == null ? 0 : Long.parseLong(ms.getFirst());
                    exchange.dispatch(SameThreadExecutor.INSTANCE, () ->
                            exchange.getIoThread().executeAfter(() -> send(exchange, body), millis, TimeUnit.MILLISECONDS));
                }
                default -> {
                    exchange.setStatusCode(404);
                    send(exchange, "not found\n");
                }
            }
        };
    }

    private static void send(HttpServerExchange exchange, String text) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(text);
    }
}
