import dev.baton.posix.Posix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * What the master's first libc call costs: loading and linking the native binding. Run by
 * bench/jdks.sh as a source file against baton.jar; prints wall and this thread's CPU time in ms
 * (CPU time is what a busy machine does not inflate), then the same for the next 50.
 */
public final class FirstCall {
    public static void main(String[] args) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        Posix.pid();
        long firstWall = System.nanoTime() - wall;
        long firstCpu = threads.getCurrentThreadCpuTime() - cpu;
        wall = System.nanoTime();
        cpu = threads.getCurrentThreadCpuTime();
        // The calls a master makes before it listens, other than the first.
        for (int i = 0; i < 10; i++) { // 5 calls each
            int[] pipe = Posix.pipe();
            Posix.setCloseOnExec(pipe[0], true);
            Posix.signalsBlocked(1);
            Posix.close(pipe[0]);
            Posix.close(pipe[1]);
        }
        System.out.printf("%d %d %d %d%n", firstWall / 1_000_000, firstCpu / 1_000_000,
                (System.nanoTime() - wall) / 1_000_000, (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000);
    }
}
