package dev.baton.worker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
 * A deliberately dumb HTTP/1.1 client on one real socket: the tests need to see exactly what
 * happens on a connection (keep-alive, Connection: close, FIN versus reset), which a pooled
 * client would hide.
 */
final class HttpConnection implements AutoCloseable {

    static final Duration READ_BOUND = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    HttpConnection(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, (int) READ_BOUND.toMillis());
        socket.setSoTimeout((int) READ_BOUND.toMillis());
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    void send(String path) throws IOException {
        send("GET", path);
    }

    void send(String method, String path) throws IOException {
        out.write((method + " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    Response get(String path) throws IOException {
        send(path);
        return read();
    }

    /** A HEAD response has no body, whatever its Content-Length says. */
    Response head(String path) throws IOException {
        send("HEAD", path);
        return read(false);
    }

    Response read() throws IOException {
        return read(true);
    }

    private Response read(boolean withBody) throws IOException {
        String statusLine = line();
        Map<String, String> headers = new TreeMap<>();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).trim());
        }
        int length = withBody ? Integer.parseInt(headers.getOrDefault("content-length", "0")) : 0;
        byte[] body = in.readNBytes(length);
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
                new String(body, StandardCharsets.UTF_8));
    }

    /**
     * True if the server closed the connection cleanly (FIN). A reset throws instead, and a server
     * that keeps the connection open makes this time out: both fail the test.
     */
    boolean closedByServer() throws IOException {
        return in.read() == -1;
    }

    void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    record Response(int status, Map<String, String> headers, String body) {
        String connection() {
            return headers.getOrDefault("connection", "");
        }
    }
}
