package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker command that never speaks Baton's protocol: a stock application, or here plain `sleep`. */
class NeverReadyTest {
    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void theMasterSaysWhyAfterTheBootTimeoutAndBacksOffLikeACrashLoop() throws Exception {
        Sandbox.Run baton = sandbox.start(List.of("start", "--listen", "127.0.0.1:0", "--workers", "1",
                "--boot-timeout", "1", "--", "sleep", "600"));
        Duration within = Duration.ofSeconds(20);

        Matcher first = baton.awaitLog("(\\S+) baton\\[\\d+\\] gen 1 worker 0 \\(pid (\\d+)\\): started but never reported ready "
                + "within --boot-timeout 1 s: does it use worker-api or an adapter\\? see README: Serving an application; "
                + "sending SIGKILL", within);
        String firstPid = first.group(2);
        Matcher killed = baton.awaitLog("(\\S+) baton\\[\\d+\\] gen 1 worker 0 \\(pid " + firstPid + "\\): killed by SIGKILL "
                + "before it was ready; respawning in 500 ms \\(1 failed start in a row\\)", within);

        // The next one fares the same, and waits twice as long before the third.
        Matcher second = baton.awaitLog("(\\S+) baton\\[\\d+\\] gen 1 worker 0 \\(pid (?!" + firstPid + "\\))(\\d+)\\): spawned", within);
        baton.awaitLog("gen 1 worker 0 \\(pid " + second.group(2) + "\\): started but never reported ready", within);
        baton.awaitLog("gen 1 worker 0 \\(pid " + second.group(2) + "\\): killed by SIGKILL before it was ready; "
                + "respawning in 1000 ms \\(2 failed starts in a row\\)", within);

        long backoff = Duration.between(Instant.parse(killed.group(1)), Instant.parse(second.group(1))).toMillis();
        assertTrue(backoff >= 450, "respawned " + backoff + " ms after the kill, before the 500 ms backoff:\n" + baton.log());
        assertTrue(baton.alive(), "the master keeps running:\n" + baton.log());
    }
}
