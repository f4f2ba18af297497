package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.ProcStat;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Reading a thread's name and CPU time from /proc ({@link ProcStat}); the share itself is checked end to end in BenchTest. */
class JitShareTest {

    @Test
    void aCompilerThreadsNameAndCpuTime() {
        ProcStat stat = ProcStat.parse("4711 (C2 CompilerThre) S 1 4700 4700 0 -1 1077936192 9 0 0 0 "
                + "153 27 0 0 20 0 30 0 991 4294967295 3 4 0 0 0 0 0 0 0 0 0 0 -1 1 0 0 0 0 0");
        assertEquals("C2 CompilerThre", stat.name());
        assertEquals(180, stat.cpuTicks());
        assertEquals(30, stat.threads());
        assertEquals(1, stat.parent());
        assertTrue(JitShare.isJitCompiler(stat.name()));
    }

    @Test
    void aNameWithSpacesAndParenthesesEndsAtTheLastParenthesis() {
        ProcStat stat = ProcStat.parse("12 (a (b) c) R 1 12 12 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 10 0 0");
        assertEquals("a (b) c", stat.name());
        assertEquals("R", stat.state());
        assertEquals(11, stat.cpuTicks());
        assertFalse(JitShare.isJitCompiler(stat.name()));
    }

    @Test
    void thisJvmsOwnCompilerThreadsAreFoundUnderProc() throws Exception {
        long compilers = 0;
        try (var threads = Files.list(Path.of("/proc/self/task"))) {
            for (Path thread : threads.toList()) {
                if (JitShare.isJitCompiler(ProcStat.of(thread.resolve("stat")).orElseThrow().name())) {
                    compilers++;
                }
            }
        }
        assertTrue(compilers > 0, "HotSpot runs at least one C1 or C2 compiler thread");
    }
}
