package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The control socket under abuse: half lines, floods, oversized and CRLF requests. */
class ControlSocketTest {
    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig hello;

    private Sandbox.Run startHello() throws IOException {
        hello = new HelloConfig(sandbox);
        hello.write("1", 1);
        return hello.start(sandbox).awaitReady();
    }

    private SocketChannel connect(String partial) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(hello.controlSocket()));
        channel.write(ByteBuffer.wrap(partial.getBytes(StandardCharsets.UTF_8)));
        return channel;
    }

    @Test
    void verbsStillWorkWhileConnectionsHoldHalfALineAndTheyGetAnErrorAfterTheDeadline() throws Exception {
        Sandbox.Run baton = startHello();
        List<SocketChannel> stuck = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                stuck.add(connect("sta"));
            }
            Sandbox.Result status = sandbox.run(Duration.ofSeconds(20), List.of("status", "--pid", hello.pidFile.toString()));
            assertEquals(0, status.exitCode(), status.output());
            assertTrue(status.output().contains("1 serving of 1 wanted"), status.output());
            Sandbox.Result scale = sandbox.run(Duration.ofSeconds(20), List.of("scale", "1", "--pid", hello.pidFile.toString()));
            assertEquals(0, scale.exitCode(), scale.output());

            ByteBuffer answer = ByteBuffer.allocate(256);
            SocketChannel first = stuck.get(0);
            while (first.read(answer) >= 0) {
                // Until the master closes it.
            }
            assertEquals("error no complete request line within 5 s\n",
                    new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8));
        } finally {
            for (SocketChannel channel : stuck) {
                channel.close();
            }
        }
        assertTrue(baton.alive());
    }

    @Test
    void oversizedGarbageAndCrlfRequestsGetTheirAnswerNotAReset() throws Exception {
        startHello();
        byte[] big = new byte[4000];
        Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = '\n';
        assertEquals("error request too long (over 1024 bytes)\n", Control.exchange(hello.controlSocket(), big));
        byte[] noNewline = Arrays.copyOf(big, 2000);
        assertEquals("error request too long (over 1024 bytes)\n", Control.exchange(hello.controlSocket(), noNewline));
        assertTrue(Control.exchange(hello.controlSocket(), "status\r\n".getBytes(StandardCharsets.US_ASCII)).startsWith("{\"pid\":"));
        assertEquals("error request is not a line of text\n", Control.exchange(hello.controlSocket(), new byte[] {'s', 1, '\n'}));
    }

    @Test
    void upgradeWatchersAreBounded() throws Exception {
        Sandbox.Run baton = startHello();
        int before = Processes.fds(baton.pid()).size();
        List<SocketChannel> watchers = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                watchers.add(connect("watch-upgrade\n"));
            }
            Poll.until("watchers beyond the bound answered and closed", Duration.ofSeconds(10),
                    () -> Processes.fds(baton.pid()).size() <= before + 16 + 2);
            ByteBuffer answer = ByteBuffer.allocate(256);
            while (watchers.get(0).read(answer) >= 0) {
                // Until the master closes it.
            }
            assertEquals("ok watching\nerror more than 16 connections watch the upgrade\n",
                    new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8));
        } finally {
            for (SocketChannel channel : watchers) {
                channel.close();
            }
        }
        assertEquals(200, Http.get(baton.port(), "/").status());
    }
}
