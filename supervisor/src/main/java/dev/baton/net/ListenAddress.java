package dev.baton.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** A {@code host:port} or {@code [v6]:port} to listen on, parsed strictly. */
public record ListenAddress(String host, int port) {

    /** Parses {@code spec}; the exception's message is fit to show the user as it is. */
    public static ListenAddress parse(String spec) {
        String host;
        String port;
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0 || close + 1 >= spec.length() || spec.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("malformed address '" + spec + "': expected [ipv6]:port, e.g. [::1]:8080");
            }
            host = spec.substring(1, close);
            port = spec.substring(close + 2);
        } else {
            int colon = spec.lastIndexOf(':');
            if (colon <= 0 || spec.indexOf(':') != colon) {
                throw new IllegalArgumentException("malformed address '" + spec + "': expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080");
            }
            host = spec.substring(0, colon);
            port = spec.substring(colon + 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65535) {
            throw new IllegalArgumentException("malformed address '" + spec + "': port must be a number from 0 to 65535");
        }
        return new ListenAddress(host, number);
    }

    /** Resolves the host; a name resolves to its first address. */
    public InetSocketAddress resolve() {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot listen on " + this + ": unknown host '" + host + "'");
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
