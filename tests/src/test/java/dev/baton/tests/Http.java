package dev.baton.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately small HTTP/1.1 client over a plain socket, so a test controls exactly when a
 * connection opens, is reused and closes; the JDK's clients pool connections behind our back.
 */
final class Http implements AutoCloseable {
    private static final int TIMEOUT_MS = 15_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    record Response(int status, Map<String, String> headers, String body) {
        boolean closes() {
            return "close".equalsIgnoreCase(headers.get("connection"));
        }

        /** The worker pid in hello's body: "version=1 pid=1234". */
        int pid() {
            return Integer.parseInt(body.trim().replaceAll(".*pid=(\\d+).*", "$1"));
        }

        String version() {
            return body.trim().replaceAll(".*version=(\\S+).*", "$1");
        }
    }

    private Http(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A keep-alive connection for several requests. */
    static Http connect(int port) throws IOException {
        return new Http("127.0.0.1", port);
    }

    /** One request on a connection of its own. */
    static Response get(int port, String path) throws IOException {
        return get("127.0.0.1", port, path);
    }

    static Response get(String host, int port, String path) throws IOException {
        try (Http http = new Http(host, port)) {
            return http.request(path, false);
        }
    }

    Response request(String path) throws IOException {
        return request(path, true);
    }

    private Response request(String path, boolean keepAlive) throws IOException {
        send(path, keepAlive);
        return receive();
    }

    /** Writes a request without waiting for its response. */
    void send(String path, boolean keepAlive) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** Whether the server closed the connection: the next read sees end of stream. */
    boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    /** Reads the response to a request sent earlier. */
    Response receive() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        String header;
        while ((header = line()) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            int size;
            while ((size = Integer.parseInt(line().trim(), 16)) > 0) {
                chunks.write(in.readNBytes(size));
                line();
            }
            line();
            body = chunks.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
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
        return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
