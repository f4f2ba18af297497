package dev.baton.worker;

import dev.baton.worker.runtime.HealthPath;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** Answers a load balancer's health checks in front of the application, by {@link HealthPath}'s rules. */
final class HealthEndpoint {

    private final HealthPath health;

    HealthEndpoint(HealthPath health) {
        this.health = health;
    }

    HttpHandler answering(HttpHandler application) {
        if (health.path() == null) {
            return application;
        }
        return exchange -> {
            if (health.matches(exchange.getRequestMethod().toString(), exchange.getRequestPath())) {
                answer(exchange);
            } else {
                application.handleRequest(exchange);
            }
        };
    }

    private void answer(HttpServerExchange exchange) {
        int status = health.status(); // read once: status and body must agree
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        // Undertow drops the body of a HEAD response and keeps its Content-Length.
        exchange.getResponseSender().send(HealthPath.body(status));
    }
}
