package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventLogTest {

    private static final long PID = ProcessHandle.current().pid();
    private static final Instant TIME = Instant.parse("2025-01-02T03:04:05Z");

    @Test
    void supervisedLinesNameGenerationAndWorker() {
        assertEquals("2025-01-02T03:04:05.000Z baton[" + PID + "] gen 3 worker 1: ready",
                EventLog.supervised(3, 1).line(TIME, "ready"));
    }

    @Test
    void standaloneLinesSaySo() {
        assertEquals("2025-01-02T03:04:05.000Z baton[" + PID
                        + "] standalone: listening on 127.0.0.1:8080",
                EventLog.standalone().line(TIME, "listening on 127.0.0.1:8080"));
    }
}
