package dev.baton.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately small HTTP/1.1 client on one real socket: tests need to see exactly what happens
 * on a connection (keep-alive, {@code Connection: close}, FIN versus reset), which the JDK's
 * pooling clients would hide.
 */
public final class Http implements AutoCloseable {

    public static final Duration READ_BOUND = Duration.ofSeconds(15);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A response; headers are keyed in lower case. */
    public record Response(int status, Map<String, String> headers, String body) {

        public String connection() {
            return headers.getOrDefault("connection", "");
        }

        /** Whether the server ends the connection after this response. */
        public boolean closes() {
            return "close".equalsIgnoreCase(connection())
                    || !headers.containsKey("content-length") && !headers.containsKey("transfer-encoding");
        }

        /** The worker pid in the examples' body: "version=1 pid=1234". */
        public int pid() {
            return Integer.parseInt(body.trim().replaceAll("(?s).*pid=(\\d+).*", "$1"));
        }

        /** The version in the examples' body, or null if it names none. */
        public String version() {
            int start = body.indexOf("version=");
            if (start < 0) {
                return null;
            }
            int end = start + "version=".length();
            while (end < body.length() && !Character.isWhitespace(body.charAt(end))) {
                end++;
            }
            return body.substring(start + "version=".length(), end);
        }
    }

    private Http(InetSocketAddress address, Duration timeout) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(address, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A connection for one or more requests. */
    public static Http connect(InetSocketAddress address) throws IOException {
        return new Http(address, READ_BOUND);
    }

    /** A connection to 127.0.0.1 whose connect and reads each give up after {@code timeout}. */
    public static Http connect(int port, Duration timeout) throws IOException {
        return new Http(new InetSocketAddress("127.0.0.1", port), timeout);
    }

    /** A connection to 127.0.0.1. */
    public static Http connect(int port) throws IOException {
        return connect("127.0.0.1", port);
    }

    public static Http connect(String host, int port) throws IOException {
        return connect(new InetSocketAddress(host, port));
    }

    /** One request on a connection of its own, which asks the server to close it. */
    public static Response get(int port, String path) throws IOException {
        return get("127.0.0.1", port, path);
    }

    /** The status of one GET on a connection of its own, or -1 if it got no response: for polling. */
    public static int status(int port, String path) {
        try {
            return get(port, path).status();
        } catch (IOException e) {
            return -1;
        }
    }

    public static Response get(String host, int port, String path) throws IOException {
        try (Http http = connect(host, port)) {
            http.send("GET", path, false);
            return http.receive();
        }
    }

    /** A GET on this connection, keeping it alive. */
    public Response get(String path) throws IOException {
        return get(path, true);
    }

    /** A GET on this connection; {@code keepAlive} false asks the server to close it after. */
    public Response get(String path, boolean keepAlive) throws IOException {
        send("GET", path, keepAlive);
        return receive();
    }

    /** A HEAD on this connection; its response has no body, whatever its Content-Length says. */
    public Response head(String path) throws IOException {
        send("HEAD", path, true);
        return receive(false);
    }

    /** Writes a keep-alive GET without waiting for its response. */
    public void send(String path) throws IOException {
        send("GET", path, true);
    }

    /** Writes a request without waiting for its response. */
    public void send(String method, String path, boolean keepAlive) throws IOException {
        String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads the response to a request sent earlier. */
    public Response receive() throws IOException {
        return receive(true);
    }

    private Response receive(boolean withBody) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] words = statusLine.split(" ");
        if (words.length < 2 || !words[0].startsWith("HTTP/1.")) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = Integer.parseInt(words[1]);
        Map<String, String> headers = new TreeMap<>();
        String header;
        while ((header = line()) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        byte[] body;
        if (!withBody) {
            body = new byte[0];
        } else if (headers.containsKey("content-length")) {
            int length = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(length);
            if (body.length < length) {
                throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
            }
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            int size;
            while ((size = Integer.parseInt(line().trim(), 16)) > 0) {
                chunks.write(in.readNBytes(size));
                line();
            }
            line();
            body = chunks.toByteArray();
        } else if (status == 204 || status == 304 || status / 100 == 1) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    /**
     * True if the server closed the connection cleanly (FIN). A reset throws instead, and a server
     * that keeps the connection open makes this time out: both fail the test.
     */
    public boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(c);
        }
        if (line.size() == 0) {
            return null;
        }
        throw new EOFException("connection closed mid-line");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
