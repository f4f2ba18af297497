package dev.baton.master;

import dev.baton.posix.Posix;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads newline-terminated lines from a pipe on a thread of its own until the writer is gone,
 * then closes the pipe. One per worker: it ends when the worker does, so threads never pile up.
 */
final class LineReader {
    private static final int MAX_LINE = 4096;

    private LineReader() {
    }

    static void start(String name, int fd, Consumer<String> onLine) {
        start(name, fd, onLine, () -> { });
    }

    /** As above; {@code onEnd} runs once the writer is gone. */
    static void start(String name, int fd, Consumer<String> onLine, Runnable onEnd) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[512];
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                int n;
                while ((n = Posix.read(fd, buffer)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            onLine.accept(line.toString(StandardCharsets.UTF_8));
                            line.reset();
                        } else if (line.size() < MAX_LINE) {
                            line.write(buffer[i]);
                        }
                    }
                }
            } catch (RuntimeException e) {
                Log.line("master", name + ": control channel failed: " + e.getMessage());
            } finally {
                Posix.close(fd);
                onEnd.run();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }
}
