package dev.baton.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void parsesIpv4AndBracketedIpv6() {
        assertEquals(new ListenAddress("127.0.0.1", 8080), ListenAddress.parse("127.0.0.1:8080"));
        assertEquals(new ListenAddress("::1", 0), ListenAddress.parse("[::1]:0"));
        assertEquals(new ListenAddress("localhost", 65535), ListenAddress.parse("localhost:65535"));
    }

    @Test
    void rejectsMalformedAddressesWithTheExpectedForm() {
        assertEquals("malformed address '::1:80': expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080",
                assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("::1:80")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(":80"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("[::1]"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("host:-1"));
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("host:http"));
    }

    @Test
    void displaysIpv6Compressed() throws Exception {
        assertEquals("[::1]:80", new Listener(-1, new InetSocketAddress(InetAddress.getByName("::1"), 80)).display());
        assertEquals("[::]:80", new Listener(-1, new InetSocketAddress(InetAddress.getByName("::"), 80)).display());
        assertEquals("[2001:db8::1:0:0:1]:443",
                new Listener(-1, new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 443)).display());
        assertEquals("127.0.0.1:8080", new Listener(-1, new InetSocketAddress("127.0.0.1", 8080)).display());
    }
}
