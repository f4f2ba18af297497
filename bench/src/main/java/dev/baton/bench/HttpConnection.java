package dev.baton.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 connection over a plain socket. A benchmark client must control exactly when a
 * connection opens, is reused and closes, and must never retry behind our back: library clients
 * pool and retry, which would hide precisely the failures we count.
 */
final class HttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A response read in full; {@code closes} if the server said {@code Connection: close}. */
    record Response(int status, boolean closes, String body) {
        /** The version in hello's body, {@code version=3 pid=1234}; null if there is none. */
        String version() {
            int start = body.indexOf("version=");
            if (start < 0) {
                return null;
            }
            int end = body.indexOf(' ', start);
            return body.substring(start + "version=".length(), end < 0 ? body.length() : end).trim();
        }
    }

    HttpConnection(int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one GET and reads its response; {@code keepAlive=false} asks the server to close. */
    Response get(String path, boolean keepAlive) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = line();
        String[] words = statusLine.split(" ");
        if (words.length < 2 || !words[0].startsWith("HTTP/1.")) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = Integer.parseInt(words[1]);
        boolean closes = !keepAlive || words[0].equals("HTTP/1.0");
        long length = -1;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, Math.max(colon, 0)).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("connection") && value.equalsIgnoreCase("close")) {
                closes = true;
            }
        }
        byte[] body;
        if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        } else {
            body = in.readAllBytes(); // no length: the body ends with the connection
            closes = true;
        }
        return new Response(status, closes, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                throw new EOFException("connection closed " + (line.size() == 0 ? "before a response" : "mid-line"));
            }
            line.write(c);
        }
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is all we wanted.
        }
    }
}
