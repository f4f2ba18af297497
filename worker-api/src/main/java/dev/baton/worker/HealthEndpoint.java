package dev.baton.worker;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

/**
 * Answers a load balancer's health checks on {@code BATON_HEALTH_PATH}, in front of the
 * application: {@code 200 ok} while the node is in rotation, {@code 503 draining} once it is being
 * taken out. The runtime answers rather than the application because only it knows the node is
 * about to stop, and because a balancer must see the 503 while the node still serves everything
 * else, so that it moves traffic away before the worker stops accepting.
 */
final class HealthEndpoint {

    private final String path;
    private volatile boolean outOfRotation;

    /** {@code path} null: no health checks, every request goes to the application. */
    HealthEndpoint(String path) {
        this.path = path;
    }

    HttpHandler answering(HttpHandler application) {
        if (path == null) {
            return application;
        }
        return exchange -> {
            if (isCheck(exchange)) {
                answer(exchange);
            } else {
                application.handleRequest(exchange);
            }
        };
    }

    /** From now on checks answer 503. There is no way back: the node is about to stop. */
    void takeOutOfRotation() {
        outOfRotation = true;
    }

    private boolean isCheck(HttpServerExchange exchange) {
        HttpString method = exchange.getRequestMethod();
        return (Methods.GET.equals(method) || Methods.HEAD.equals(method))
                && path.equals(exchange.getRequestPath());
    }

    private void answer(HttpServerExchange exchange) {
        boolean out = outOfRotation; // read once: status and body must agree
        exchange.setStatusCode(out ? StatusCodes.SERVICE_UNAVAILABLE : StatusCodes.OK);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        // Undertow drops the body of a HEAD response and keeps its Content-Length.
        exchange.getResponseSender().send(out ? "draining" : "ok");
    }
}
