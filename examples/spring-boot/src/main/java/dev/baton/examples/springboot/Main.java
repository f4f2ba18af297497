package dev.baton.examples.springboot;

import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A plain Spring MVC application; its pom's {@code baton-spring-boot} dependency is all that makes
 * it a Baton worker. Answers like examples/hello, so the same tests drive both.
 *
 * <ul>
 *   <li>{@code GET /}: {@code version=<HELLO_VERSION, default 1> pid=<pid>}
 *   <li>{@code GET /slow?ms=N}: the same, after N ms
 * </ul>
 */
@SpringBootApplication
@RestController
public class Main {

    private static final long MAX_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private final String body = "version=" + System.getenv().getOrDefault("HELLO_VERSION", "1")
            + " pid=" + ProcessHandle.current().pid() + "\n";

    public static void main(String[] args) {
        SpringApplication.run(Main.class, args);
    }

    @GetMapping("/")
    public String hello() {
        return body;
    }

    @GetMapping("/slow")
    public ResponseEntity<String> slow(@RequestParam("ms") long millis) throws InterruptedException {
        if (millis < 0 || millis > MAX_DELAY_MILLIS) {
            return ResponseEntity.badRequest().body("ms must be between 0 and " + MAX_DELAY_MILLIS + "\n");
        }
        Thread.sleep(millis);
        return ResponseEntity.ok(body);
    }
}
