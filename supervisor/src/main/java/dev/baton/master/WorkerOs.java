package dev.baton.master;

import dev.baton.posix.Posix;
import dev.baton.protocol.Command;
import dev.baton.protocol.WorkerFds;
import dev.baton.signals.Signal;
import dev.baton.spawn.ProcessState;
import dev.baton.spawn.Spawn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the worker pool asks of the operating system, and nothing more: the seam that lets the
 * pool's rules (rolling replacement, backoff, bounds, deadlines) be tested in milliseconds.
 * {@link #SYSTEM} is the real thing.
 */
interface WorkerOs {
    /** A started worker: its pid, the fd the master writes its commands to, the fd it reads reports from. */
    record Started(int pid, int commandFd, int reportFd) {
    }

    /**
     * Starts a worker on {@code listenerFd} with its output on {@code outputFd} (-1: the master's).
     *
     * @throws RuntimeException with a message fit for the log if it cannot be started
     */
    Started start(List<String> command, Map<String, String> environment, int listenerFd, int outputFd);

    /**
     * Hands the lines read from {@code reportFd} to {@code onLine}, then runs {@code onEnd} once
     * the pipe closes (and closes it).
     */
    void listen(int reportFd, String name, Consumer<String> onLine, Runnable onEnd);

    /** Writes a command; false if the worker is gone. */
    boolean send(int commandFd, Command command);

    void close(int fd);

    /** False if the process is gone. */
    boolean signal(int pid, Signal signal);

    /** Reaps a child that has exited: its raw wait status, or {@link Posix#STILL_RUNNING}. */
    int reap(int pid);

    /** Whether it is stopped (SIGSTOP), and so cannot print a thread dump. */
    boolean stopped(int pid);

    /** Resident memory in KiB; 0 if the process is gone. */
    long rssKib(int pid);

    WorkerOs SYSTEM = new WorkerOs() {
        @Override
        public Started start(List<String> command, Map<String, String> environment, int listenerFd, int outputFd) {
            int[] down = Posix.pipe();
            int[] up;
            try {
                up = Posix.pipe();
            } catch (RuntimeException e) {
                Posix.close(down[0]);
                Posix.close(down[1]);
                throw e;
            }
            Spawn spawn = Spawn.command(command)
                    .environment(environment)
                    // A listener on fd 0 is why each listener has workers of its own.
                    .fd(WorkerFds.LISTENER, listenerFd)
                    .fd(WorkerFds.COMMANDS, down[0])
                    .fd(WorkerFds.REPORTS, up[1]);
            if (outputFd >= 0) {
                spawn.fd(1, outputFd).fd(2, outputFd);
            }
            int pid;
            try {
                pid = spawn.start();
            } catch (RuntimeException e) {
                Posix.close(down[1]);
                Posix.close(up[0]);
                throw e;
            } finally {
                Posix.close(down[0]);
                Posix.close(up[1]);
            }
            return new Started(pid, down[1], up[0]);
        }

        @Override
        public void listen(int reportFd, String name, Consumer<String> onLine, Runnable onEnd) {
            LineReader.start(name, reportFd, onLine, onEnd);
        }

        @Override
        public boolean send(int commandFd, Command command) {
            return Posix.write(commandFd, (command.line() + "\n").getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close(int fd) {
            Posix.close(fd);
        }

        @Override
        public boolean signal(int pid, Signal signal) {
            return Posix.kill(pid, signal.number());
        }

        @Override
        public int reap(int pid) {
            return Posix.waitNoHang(pid);
        }

        @Override
        public boolean stopped(int pid) {
            return ProcessState.of(pid) == ProcessState.STOPPED;
        }

        @Override
        public long rssKib(int pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // Gone, or a kernel without the field.
            }
            return 0;
        }
    };
}
