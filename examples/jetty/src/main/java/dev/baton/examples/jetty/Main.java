package dev.baton.examples.jetty;

import dev.baton.jetty.BatonJetty;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * hello on Jetty 12: answers with its version and pid, so a test can tell which generation and
 * which worker served a request.
 *
 * <ul>
 *   <li>{@code GET /}: {@code version=<HELLO_VERSION, default 1> pid=<pid>}
 *   <li>{@code GET /slow?ms=N}: the same, after N ms, holding no thread meanwhile
 * </ul>
 */
public final class Main {

    private static final long MAX_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private Main() {
    }

    public static void main(String[] args) {
        String version = System.getenv().getOrDefault("HELLO_VERSION", "1");
        Server server = new Server();
        server.setHandler(new Hello("version=" + version + " pid=" + ProcessHandle.current().pid() + "\n"));
        BatonJetty.serve(server);
    }

    private static final class Hello extends Handler.Abstract.NonBlocking {
        private final String body;

        Hello(String body) {
            this.body = body;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            switch (Request.getPathInContext(request)) {
                case "/" -> send(response, 200, body, callback);
                case "/slow" -> {
                    long millis = delay(request);
                    if (millis < 0) {
                        send(response, 400, "ms must be an integer between 0 and " + MAX_DELAY_MILLIS + "\n", callback);
                    } else {
                        // Jetty's scheduler answers later: no thread waits for the delay.
                        request.getComponents().getScheduler().schedule(
                                () -> send(response, 200, body, callback), millis, TimeUnit.MILLISECONDS);
                    }
                }
                default -> send(response, 404, "not found\n", callback);
            }
            return true;
        }

        private static long delay(Request request) {
            Fields.Field ms = Request.extractQueryParameters(request).get("ms");
            if (ms == null) {
                return 0;
            }
            try {
                long millis = Long.parseLong(ms.getValue());
                return millis >= 0 && millis <= MAX_DELAY_MILLIS ? millis : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static void send(Response response, int status, String text, Callback callback) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            Content.Sink.write(response, true, text, callback);
        }
    }
}
