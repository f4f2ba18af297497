package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/** The SO_REUSEPORT baseline rests on XNIO internals: if they move, this fails first. */
class ReusePortAcceptorTest {
    @Test
    void twoAcceptorsBindTheSamePort() throws Exception {
        XnioWorker worker = Xnio.getInstance(ReusePortAcceptorTest.class.getClassLoader()).createWorker(OptionMap.EMPTY);
        AcceptingChannel<StreamConnection> first = null;
        AcceptingChannel<StreamConnection> second = null;
        try {
            first = ReusePortAcceptor.bind(worker, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), OptionMap.EMPTY);
            int port = first.getLocalAddress(InetSocketAddress.class).getPort();
            second = ReusePortAcceptor.bind(worker, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), OptionMap.EMPTY);
            assertEquals(port, second.getLocalAddress(InetSocketAddress.class).getPort());
        } finally {
            IoUtils.safeClose(first, second);
            worker.shutdownNow();
        }
    }
}
