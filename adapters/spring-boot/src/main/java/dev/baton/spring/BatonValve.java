package dev.baton.spring;

import dev.baton.worker.runtime.HealthPath;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * First in Tomcat's engine pipeline: answers health checks before the application sees them,
 * counts requests running and finished, and during a drain asks every response to close its
 * connection.
 */
final class BatonValve extends ValveBase {

    private final HealthPath health;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private volatile boolean closing;

    BatonValve(HealthPath health) {
        super(true);
        this.health = health;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (closing) {
            response.setHeader("Connection", "close");
        }
        if (health.matches(request.getMethod(), request.getRequestURI())) {
            int status = health.status(); // read once: status and body must agree
            response.setStatus(status);
            response.setContentType("text/plain");
            response.getWriter().write(HealthPath.body(status));
            return;
        }
        inFlight.incrementAndGet();
        try {
            getNext().invoke(request, response);
        } finally {
            inFlight.decrementAndGet();
            completed.incrementAndGet();
        }
    }

    void closeAfterEachResponse() {
        closing = true;
    }

    int inFlight() {
        return inFlight.get();
    }

    long completed() {
        return completed.get();
    }
}
