package dev.baton.worker.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The control protocol over a real pipe, as the master speaks it. */
class MasterLinkTest {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final MasterLink.Commands recorder = new MasterLink.Commands() {
        @Override
        public void quit() {
            received.add("quit");
        }

        @Override
        public void term() {
            received.add("term");
        }

        @Override
        public void reopenLogs() {
            received.add("reopen-logs");
        }

        @Override
        public void unhealthy() {
            received.add("unhealthy");
        }

        @Override
        public void masterGone() {
            received.add("master gone");
        }
    };

    @Test
    void commandsArriveInOrderAndUnknownLinesAreIgnored() throws Exception {
        Pipe pipe = Pipe.open();
        MasterLink link = new MasterLink(Channels.newInputStream(pipe.source()),
                OutputStream.nullOutputStream(), EventLog.supervised(1, 0));
        link.startReading(recorder);
        try (OutputStream master = Channels.newOutputStream(pipe.sink())) {
            master.write("reopen-logs\nfrobnicate\n\nunhealthy\nquit\r\nterm\n"
                    .getBytes(StandardCharsets.UTF_8));
            master.flush();
            assertEquals("reopen-logs", next());
            assertEquals("unhealthy", next());
            assertEquals("quit", next());
            assertEquals("term", next());
            assertNull(received.poll(), "nothing for the unknown or empty line");
        }
        assertEquals("master gone", next(), "EOF: the master closed its end");
    }

    @Test
    void eofWithoutAnyCommandMeansTheMasterIsGone() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.sink().close();
        MasterLink link = new MasterLink(Channels.newInputStream(pipe.source()),
                OutputStream.nullOutputStream(), EventLog.supervised(1, 0));
        link.startReading(recorder);
        assertEquals("master gone", next());
    }

    @Test
    void statusMessagesAreSingleLines() {
        ByteArrayOutputStream master = new ByteArrayOutputStream();
        MasterLink link = new MasterLink(InputStream.nullInputStream(), master,
                EventLog.supervised(1, 0));
        link.ready();
        link.heartbeat(42);
        link.draining();
        assertEquals("ready\nheartbeat 42\ndraining\n", master.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBrokenStatusPipeDoesNotThrow() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        MasterLink link = new MasterLink(InputStream.nullInputStream(), broken,
                EventLog.supervised(1, 0));
        link.ready();
        link.heartbeat(1); // reported once on stderr, never thrown: the reader handles a dead master
    }

    private String next() throws InterruptedException {
        String message = received.poll(10, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no command within 10 s");
        }
        return message;
    }
}
