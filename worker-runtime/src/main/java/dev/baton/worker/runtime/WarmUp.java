package dev.baton.worker.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sends a new worker some requests before it takes real traffic, so the JIT and lazy
 * initialisation are paid for by us rather than by the first users after a restart. The requests
 * go to a private loopback listener: the shared socket is untouched until the worker is ready.
 */
final class WarmUp {

    /** Per request; a warm-up that hangs longer than this has found a broken application. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String path;
    private final int requests;
    private final Duration requestTimeout;

    WarmUp(String path, int requests, Duration requestTimeout) {
        this.path = path;
        this.requests = requests;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Warms {@code server} up through a private listener of its own, if it can open one, and says
     * how it went in the log.
     */
    static void warm(ServerAdapter server, String path, int requests, EventLog log) {
        InetSocketAddress address = server.openWarmupListener();
        if (address == null) {
            log.event("warm-up skipped: this server opens no private listener for it");
            return;
        }
        long started = System.nanoTime();
        try {
            int ok = new WarmUp(path, requests, REQUEST_TIMEOUT).run(address);
            log.event("warmed up: " + ok + "/" + requests + " requests to " + path + " succeeded in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms");
        } finally {
            server.closeWarmupListener();
        }
    }

    /** Sequential GETs, each on its own connection; returns how many got a 2xx or 3xx answer. */
    int run(InetSocketAddress address) {
        int ok = 0;
        for (int i = 0; i < requests; i++) {
            int status = get(address);
            if (status >= 200 && status < 400) {
                ok++;
            }
        }
        return ok;
    }

    /** The status code, or -1 if there was no parseable answer. */
    private int get(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            int timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, requestTimeout.toMillis()));
            socket.connect(address, timeout);
            socket.setSoTimeout(timeout);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":"
                    + address.getPort() + "\r\nUser-Agent: baton-warmup\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12]; // "HTTP/1.1 200"
            int filled = 0;
            while (filled < head.length) {
                int n = in.read(head, filled, head.length - filled);
                if (n < 0) {
                    return -1;
                }
                filled += n;
            }
            in.transferTo(OutputStream.nullOutputStream()); // the whole body, as a real client would
            return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
