package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.protocol.WorkerEnvironment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerEnvTest {

    @Test
    void standaloneByDefault() {
        WorkerEnv env = WorkerEnv.from(Map.of());
        assertFalse(env.supervised());
        assertEquals(0, env.generation());
        assertEquals(0, env.workerNumber());
        assertEquals(Duration.ofSeconds(30), env.gracefulTimeout());
        assertFalse(env.warmsUp());
        assertNull(env.warmupPath());
        assertNull(env.healthPath());
        assertEquals(new InetSocketAddress("127.0.0.1", 8080), env.listenAddress());
    }

    @Test
    void supervisedWhenTheMasterPidIsSet() {
        WorkerEnv env = WorkerEnv.from(Map.of(
                "BATON_MASTER_PID", "4242", "BATON_GENERATION", "3", "BATON_WORKER", "1",
                "BATON_GRACEFUL_TIMEOUT_MS", "5000", "BATON_WARMUP_PATH", "health",
                "BATON_WARMUP_REQUESTS", "20", "BATON_HEALTH_PATH", " health "));
        assertTrue(env.supervised());
        assertEquals(3, env.generation());
        assertEquals(1, env.workerNumber());
        assertEquals(Duration.ofSeconds(5), env.gracefulTimeout());
        assertTrue(env.warmsUp());
        assertEquals("/health", env.warmupPath());
        assertEquals(20, env.warmupRequests());
        assertEquals("/health", env.healthPath());
    }

    @Test
    void warmUpRequestsDefaultWhenOnlyThePathIsSet() {
        WorkerEnv env = WorkerEnv.from(Map.of("BATON_WARMUP_PATH", "/"));
        assertEquals(WorkerEnvironment.DEFAULT_WARMUP_REQUESTS, env.warmupRequests());
    }

    @Test
    void malformedNumbersAreRefusedByName() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> WorkerEnv.from(
                Map.of("BATON_MASTER_PID", "1", "BATON_GENERATION", "two")));
        assertTrue(e.getMessage().contains("BATON_GENERATION"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> WorkerEnv.from(Map.of("BATON_GRACEFUL_TIMEOUT_MS", "-1")));
    }

    @Test
    void listenAddressForms() {
        assertEquals(new InetSocketAddress("127.0.0.1", 9090), WorkerEnv.parseListen("9090"));
        assertEquals(new InetSocketAddress("::1", 9090), WorkerEnv.parseListen("[::1]:9090"));
        assertEquals(new InetSocketAddress("0.0.0.0", 80), WorkerEnv.parseListen(":80"));
        assertThrows(IllegalStateException.class, () -> WorkerEnv.parseListen("localhost:http"));
    }
}
