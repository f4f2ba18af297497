package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import dev.baton.worker.runtime.HealthPath;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Health checks as a load balancer sends them, to a real server on an adopted channel. */
class HealthEndpointTest {

    @RegisterExtension
    final LoopbackServer loopback = new LoopbackServer();
    private HttpWorkerServer server;
    private HealthPath health;

    @Test
    void answersOkInRotationWithoutTheApplicationSeeingIt() throws Exception {
        start("/health", HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            Http.Response get = connection.get("/health?from=lb");
            Http.Response head = connection.head("/health");
            Http.Response app = connection.get("/"); // parses only if HEAD sent no body

            assertEquals(200, get.status());
            assertEquals("ok", get.body());
            assertEquals("keep-alive", get.connection());
            assertEquals(200, head.status());
            assertEquals("2", head.headers().get("content-length"));
            assertEquals("hello /", app.body());
        }
        Poll.until("the application's request is counted", () -> server.completedRequests() >= 1);
        assertEquals(1, server.completedRequests(), "health checks are not application requests");
    }

    @Test
    void otherPathsAndMethodsGoToTheApplication() throws Exception {
        start("/health", HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            assertEquals("hello /healthz", connection.get("/healthz").body());
            assertEquals("hello /health/deep", connection.get("/health/deep").body());
            connection.send("POST", "/health", true);
            assertEquals("hello /health", connection.receive().body());
        }
    }

    @Test
    void withoutAHealthPathTheApplicationAnswersIt() throws Exception {
        start(null, HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            assertEquals("hello /health", connection.get("/health").body());
        }
    }

    @Test
    void outOfRotationItAnswers503WhileEverythingElseIsServedAsBefore() throws Exception {
        start("/health", HttpWorkerServer.DEFAULT_IDLE_GRACE);
        try (Http connection = connect()) {
            assertEquals(200, connection.get("/health").status());

            health.takeOutOfRotation();

            Http.Response check = connection.get("/health");
            assertEquals(503, check.status());
            assertEquals("draining", check.body());
            assertEquals(503, connection.head("/health").status());
            Http.Response app = connection.get("/");
            assertEquals(200, app.status());
            assertEquals("keep-alive", app.connection(), "not draining: connections stay open");
        }
        try (Http newcomer = connect()) {
            assertEquals("hello /", newcomer.get("/").body(), "still accepting");
        }
    }

    @Test
    void duringTheDrainItAnswers503WithConnectionClose() throws Exception {
        // A long grace, so the idle connection is certainly still open when the check comes.
        start("/health", Duration.ofSeconds(30));
        try (Http connection = connect()) {
            assertEquals(200, connection.get("/health").status());
            CompletableFuture<Integer> drain =
                    CompletableFuture.supplyAsync(() -> server.drain(Duration.ofSeconds(10)));
            Poll.until("the drain has started", server::draining);

            Http.Response check = connection.get("/health");

            assertEquals(503, check.status());
            assertEquals("draining", check.body());
            assertEquals("close", check.connection());
            assertTrue(connection.closedByServer());
            connection.close();
            assertEquals(0, drain.get(10, TimeUnit.SECONDS));
        }
    }

    private void start(String healthPath, Duration idleGrace) throws IOException {
        health = HealthPath.of(healthPath);
        server = loopback.start(HttpWorkerServerTest.handler(), ServeOptions.defaults(), health, idleGrace);
    }

    private Http connect() throws IOException {
        return loopback.connect();
    }
}
