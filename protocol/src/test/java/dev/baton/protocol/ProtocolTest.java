package dev.baton.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each side's words read back by the other side's parser. */
class ProtocolTest {

    @Test
    void everyCommandTheMasterWritesIsOneTheWorkerParses() {
        for (Command command : Command.values()) {
            assertEquals(Optional.of(command), Command.parse(command.line() + "\n"));
            assertTrue(command.line().matches("[a-z-]+"), "one word per line: " + command.line());
        }
        assertEquals(Optional.empty(), Command.parse("reboot"));
    }

    @Test
    void everyReportTheWorkerWritesIsOneTheMasterParses() {
        for (Report report : new Report[] {new Report.Ready(), new Report.Heartbeat(0),
                new Report.Heartbeat(Long.MAX_VALUE), new Report.Draining()}) {
            assertEquals(report, Report.parse(report.line()));
        }
    }

    @Test
    void malformedReportsAreRefusedWithTheLine() {
        for (String line : new String[] {"", "heartbeat", "heartbeat x", "heartbeat -1", "readyy"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Report.parse(line));
            assertTrue(e.getMessage().contains("'" + line + "'"), e.getMessage());
        }
    }

    @Test
    void environmentRoundTrips() {
        WorkerEnvironment written = new WorkerEnvironment(
                4242, 7, 3, Duration.ofMillis(1500), "warm", 5, "/health");
        Map<String, String> env = new HashMap<>(written.variables());
        env.put("PATH", "/usr/bin");
        WorkerEnvironment read = WorkerEnvironment.from(env).orElseThrow();
        assertEquals(written, read);
        assertEquals("/warm", read.warmupPath());
        assertEquals(Duration.ofMillis(1500), read.gracefulTimeout());
    }

    @Test
    void noMasterPidMeansNotSupervised() {
        assertEquals(Optional.empty(), WorkerEnvironment.from(Map.of(WorkerEnvironment.GENERATION, "3")));
    }

    @Test
    void defaultsApplyToWhatTheMasterLeftOut() {
        WorkerEnvironment read = WorkerEnvironment.from(Map.of(WorkerEnvironment.MASTER_PID, "1")).orElseThrow();
        assertEquals(WorkerEnvironment.DEFAULT_GRACEFUL_TIMEOUT, read.gracefulTimeout());
        assertEquals(null, read.healthPath());
        assertEquals(0, read.warmupRequests());
    }

    @Test
    void malformedVariablesAreNamed() {
        for (String[] bad : new String[][] {
                {WorkerEnvironment.GENERATION, "-1"},
                {WorkerEnvironment.WORKER, "two"},
                {WorkerEnvironment.GRACEFUL_TIMEOUT_MS, "99999999999999"},
                {WorkerEnvironment.MASTER_PID, "1.5"}}) {
            Map<String, String> env = new HashMap<>(Map.of(WorkerEnvironment.MASTER_PID, "1"));
            env.put(bad[0], bad[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WorkerEnvironment.from(env));
            assertTrue(e.getMessage().startsWith(bad[0] + " must be"), e.getMessage());
        }
    }

    @Test
    void theMasterCannotWriteATimeoutTheWorkerWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerEnvironment(
                1, 1, 0, WorkerEnvironment.MAX_GRACEFUL_TIMEOUT.plusMillis(1), null, 0, null));
    }
}
