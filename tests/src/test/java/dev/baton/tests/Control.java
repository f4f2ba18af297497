package dev.baton.tests;

import dev.baton.testing.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master's control socket spoken to directly: fast enough to sample {@code status} many times
 * a second during a rolling restart, and able to send what the CLI never would.
 */
final class Control {
    private static final Pattern WORKER = Pattern.compile("\\{\"worker\":(\\d+),\"listener\":\\d+,\"pid\":(\\d+),"
            + "\"generation\":\\d+,\"state\":\"(\\w+)\"");

    private Control() {
    }

    /**
     * Sends raw bytes and returns everything the master answers until it closes the connection. A
     * master that refuses a request closes with our excess bytes unread, which resets the
     * connection after its answer: the answer is what counts.
     */
    static String exchange(Path socket, byte[] request) {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request));
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
        } catch (IOException e) {
            if (answer.size() == 0) {
                throw new UncheckedIOException(e);
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    static String request(Path socket, String line) {
        return exchange(socket, (line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A worker as {@code status} (JSON) lists it. */
    record Worker(int number, int pid, String state) {
    }

    static List<Worker> workers(String statusJson) {
        List<Worker> workers = new ArrayList<>();
        Matcher matcher = WORKER.matcher(statusJson);
        while (matcher.find()) {
            workers.add(new Worker(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)), matcher.group(3)));
        }
        return workers;
    }

    private static final Pattern STANDBY = Pattern.compile("\"standby\":\\{\"pid\":(\\d+),\"state\":\"(\\w+)\"");

    /** The master's standby master, as {@code status} (JSON) reports it: pid 0 and "none" when there is none. */
    record Standby(int pid, String state) {
    }

    static Standby standby(String statusJson) {
        Matcher matcher = STANDBY.matcher(statusJson);
        if (!matcher.find()) {
            throw new AssertionError("no standby in status: " + statusJson);
        }
        return new Standby(Integer.parseInt(matcher.group(1)), matcher.group(2));
    }

    /** Waits until the master behind {@code socket} has a standby parked, and returns its pid. */
    static int awaitParkedStandby(Path socket, Duration within) {
        return awaitParkedStandby(socket, within, 0);
    }

    /** As above, a standby other than {@code not} (one that was killed, say). */
    static int awaitParkedStandby(Path socket, Duration within, int not) {
        return Poll.until("a parked standby master other than pid " + not, within, () -> {
            Standby standby = standby(request(socket, "status"));
            return standby.state().equals("parked") && standby.pid() != not ? standby.pid() : null;
        });
    }

    static long ready(String statusJson) {
        return workers(statusJson).stream().filter(w -> w.state().equals("ready")).count();
    }
}
