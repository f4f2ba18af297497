package dev.baton.jetty;

import dev.baton.worker.runtime.HealthPath;
import dev.baton.worker.runtime.OpenConnections;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * In front of the application's handler: answers health checks, tells the drain which connections
 * are busy, and once the drain has begun makes every response close its connection, including
 * the responses of requests that were already running then.
 */
final class BatonHandler extends Handler.Wrapper {

    private final HealthPath health;
    private final OpenConnections<EndPoint> connections;
    private volatile boolean draining;

    BatonHandler(Handler application, HealthPath health, OpenConnections<EndPoint> connections) {
        super(application);
        this.health = health;
        this.connections = connections;
    }

    void closeAfterEachResponse() {
        draining = true;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        boolean healthCheck = health.matches(request.getMethod(), Request.getPathInContext(request));
        boolean counted = connections.requestStarted(endPoint);
        // The stream sees the response head when it is committed, and the end of the exchange
        // whatever way it ends (a 404 for an unhandled request, an error page after a throw).
        request.addHttpStreamWrapper(stream -> new HttpStream.Wrapper(stream) {
            @Override
            public void send(MetaData.Request head, MetaData.Response responseHead, boolean last, ByteBuffer content,
                    Callback sent) {
                super.send(head, draining && responseHead != null ? closing(responseHead) : responseHead, last,
                        content, sent);
            }

            @Override
            public void succeeded() {
                finished();
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                finished();
                super.failed(failure);
            }

            private void finished() {
                if (counted) {
                    connections.requestFinished(endPoint, !healthCheck);
                }
            }
        });
        if (healthCheck) {
            int status = health.status(); // read once: status and body must agree
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            Content.Sink.write(response, true, HealthPath.body(status), callback);
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** Jetty's generator sees {@code Connection: close} and closes the connection after the response. */
    private static MetaData.Response closing(MetaData.Response head) {
        HttpFields fields = HttpFields.build(head.getHttpFields()).put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE);
        return new MetaData.Response(head.getStatus(), head.getReason(), head.getHttpVersion(), fields,
                head.getContentLength(), head.getTrailersSupplier());
    }
}
