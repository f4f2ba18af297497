package dev.baton.worker;

import io.undertow.server.HttpHandler;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the requests the application's handler has finished: the number a heartbeat reports, and
 * part of its proof of progress. Requests the runtime answers itself (health checks, warm-up) stay
 * out of it, because a load balancer polling a hung worker must not make it look busy.
 */
final class CompletedRequests {

    private final AtomicLong count = new AtomicLong();

    HttpHandler counting(HttpHandler application) {
        return exchange -> {
            exchange.addExchangeCompleteListener((done, next) -> {
                count.incrementAndGet();
                next.proceed();
            });
            application.handleRequest(exchange);
        };
    }

    long count() {
        return count.get();
    }
}
