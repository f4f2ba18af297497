package dev.baton.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * One request on the control socket: a verb and its argument. The master answers with lines;
 * a request that watches something stays open until the master has said its last line.
 */
public final class Request {
    private final SocketChannel channel;
    private final String verb;
    private final String argument;
    /** Run once closed: a channel a selector knew is only really closed on the selector's next turn. */
    private final Runnable onClose;

    Request(SocketChannel channel, String line, Runnable onClose) {
        this.channel = channel;
        this.onClose = onClose;
        int space = line.indexOf(' ');
        this.verb = space < 0 ? line : line.substring(0, space);
        this.argument = space < 0 ? "" : line.substring(space + 1).strip();
    }

    public String verb() {
        return verb;
    }

    public String argument() {
        return argument;
    }

    /**
     * Writes a line without blocking; false if the client has gone away, or does not read what it
     * was sent (then it is dropped: the master never waits for a client).
     */
    public synchronized boolean say(String line) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                if (channel.write(bytes) == 0) {
                    close();
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            close();
            return false;
        }
    }

    /** Writes the last line and closes. */
    public void answer(String line) {
        say(line);
        close();
    }

    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Already gone.
        }
        onClose.run();
    }
}
