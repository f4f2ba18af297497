package dev.baton.bench;

import dev.baton.testing.ProcStat;
import java.io.IOException;

/** Processes by pid, through /proc: for processes the benchmark did not start itself (Baton's). */
final class Pids {
    private Pids() {
    }

    /** Whether {@code pid} runs; a zombie its parent has yet to reap has exited, so it does not. */
    static boolean alive(long pid) {
        return ProcStat.of(pid).filter(stat -> !stat.exited()).isPresent();
    }

    /** Sends a signal by name with kill(1): the JDK can send only TERM and KILL. */
    static void signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes());
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -s " + signal + " " + pid + ": " + output.trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
