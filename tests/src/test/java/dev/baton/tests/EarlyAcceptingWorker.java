package dev.baton.tests;

import dev.baton.protocol.Command;
import dev.baton.protocol.WorkerFds;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A worker that accepts on the master's socket and serves at once but never reports ready: the
 * window in which a real worker is already accepting while its "ready" is still on its way to the
 * master, held open for as long as a test needs. It answers every path with "ok", {@code /slow}
 * after 1.5 s, and on the master's quit stops accepting, finishes what it accepted and exits 0.
 * Run by tests as a worker command, never by the product.
 */
public final class EarlyAcceptingWorker {
    private static final long SLOW_MILLIS = 1_500;

    private EarlyAcceptingWorker() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocketChannel listener = (ServerSocketChannel) System.inheritedChannel();
        listener.configureBlocking(true);
        // Held open unwritten: the master hears nothing from this worker, not even end of file.
        OutputStream reports = new FileOutputStream(WorkerFds.procPath(WorkerFds.REPORTS));
        List<Thread> serving = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            while (true) {
                Socket connection;
                try {
                    connection = listener.accept().socket();
                } catch (IOException closed) {
                    return;
                }
                Thread thread = new Thread(() -> serve(connection));
                synchronized (serving) {
                    serving.add(thread);
                }
                thread.start();
            }
        });
        acceptor.start();
        System.out.println("early-accepting worker " + ProcessHandle.current().pid() + ": accepting, not reporting ready");
        try (BufferedReader commands = new BufferedReader(new InputStreamReader(
                new FileInputStream(WorkerFds.procPath(WorkerFds.COMMANDS)), StandardCharsets.US_ASCII))) {
            for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                if (Command.parse(line).equals(Optional.of(Command.QUIT))) {
                    System.out.println("early-accepting worker: quit: finishing what it accepted");
                    break;
                }
            }
        }
        // Closing the inherited channel closes this process's fd only; the master's socket serves on.
        listener.close();
        acceptor.join();
        synchronized (serving) {
            for (Thread thread : serving) {
                thread.join();
            }
        }
        reports.close();
        System.exit(0);
    }

    private static void serve(Socket connection) {
        try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            if (head.toString().startsWith("GET /slow")) {
                System.out.println("early-accepting worker: serving /slow");
                Thread.sleep(SLOW_MILLIS);
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException | InterruptedException e) {
            System.out.println("early-accepting worker: " + e);
        }
    }
}
