package dev.baton.examples.hello;

import dev.baton.worker.Baton;
import dev.baton.worker.ServeOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Answers with its version and pid, so a test can tell which generation and which worker served
 * a request.
 *
 * <ul>
 *   <li>{@code GET /}: {@code version=<HELLO_VERSION, default 1> pid=<pid>}
 *   <li>{@code GET /slow?ms=N}: the same, after N ms
 *   <li>{@code GET /block?ms=N}: the same, after holding a request thread for N ms (a stuck handler)
 *   <li>{@code HELLO_WORKER_THREADS=N}: the size of the request thread pool
 *   <li>{@code HELLO_READY=never}: the worker never becomes ready (an upgrade that must fail)
 * </ul>
 */
public final class Main {

    private static final long MAX_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private Main() {
    }

    public static void main(String[] args) {
        String version = System.getenv().getOrDefault("HELLO_VERSION", "1");
        String body = "version=" + version + " pid=" + ProcessHandle.current().pid() + "\n";
        boolean neverReady = "never".equals(System.getenv("HELLO_READY"));
        ServeOptions.Builder options = ServeOptions.builder().readinessCheck(() -> !neverReady);
        String threads = System.getenv("HELLO_WORKER_THREADS");
        if (threads != null) {
            options.workerThreads(Integer.parseInt(threads));
        }
        Baton.serve(handler(body), options.build());
    }

    static HttpHandler handler(String body) {
        return exchange -> {
            switch (exchange.getRelativePath()) {
                case "/":
                    send(exchange, body);
                    break;
                case "/slow":
                    slow(exchange, body);
                    break;
                case "/block":
                    block(exchange, body);
                    break;
                default:
                    exchange.setStatusCode(StatusCodes.NOT_FOUND);
                    send(exchange, "not found\n");
            }
        };
    }

    /**
     * Answers later from the IO thread's timer: no thread is blocked while waiting, so many slow
     * requests cost nothing but their connections.
     */
    private static void slow(HttpServerExchange exchange, String body) {
        long millis = delay(exchange);
        if (millis < 0) {
            exchange.setStatusCode(StatusCodes.BAD_REQUEST);
            send(exchange, "ms must be an integer between 0 and " + MAX_DELAY_MILLIS + "\n");
            return;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () ->
                exchange.getIoThread().executeAfter(() -> send(exchange, body), millis,
                        TimeUnit.MILLISECONDS));
    }

    /** Sleeps on a request thread: enough of these at once and the worker makes no progress. */
    private static void block(HttpServerExchange exchange, String body) throws InterruptedException {
        long millis = delay(exchange);
        if (exchange.isInIoThread()) {
            exchange.dispatch(() -> {
                try {
                    block(exchange, body);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return;
        }
        if (millis < 0) {
            exchange.setStatusCode(StatusCodes.BAD_REQUEST);
            send(exchange, "ms must be an integer between 0 and " + MAX_DELAY_MILLIS + "\n");
            return;
        }
        Thread.sleep(millis);
        send(exchange, body);
    }

    private static long delay(HttpServerExchange exchange) {
        Deque<String> values = exchange.getQueryParameters().get("ms");
        if (values == null || values.isEmpty()) {
            return 0;
        }
        try {
            long millis = Long.parseLong(values.getFirst());
            return millis >= 0 && millis <= MAX_DELAY_MILLIS ? millis : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void send(HttpServerExchange exchange, String text) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(text);
    }
}
