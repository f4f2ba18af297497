package dev.baton.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the kernel says about TCP connections, read from /proc/net/tcp. */
final class Sockets {
    private Sockets() {
    }

    /**
     * Whether the server side of the connection from {@code clientPort} to {@code serverPort} has
     * been accepted by {@code pid}: its fd table holds that socket. Before accept() the connection
     * only sits in the listen queue and belongs to nobody.
     */
    static boolean acceptedBy(int pid, int serverPort, int clientPort) {
        String inode = serverSideInode(serverPort, clientPort);
        return inode != null && Processes.fds(pid).containsValue("socket:[" + inode + "]");
    }

    private static String serverSideInode(int serverPort, int clientPort) {
        for (String[] f : rows("/proc/net/tcp")) {
            if (port(f[1]) == serverPort && port(f[2]) == clientPort && !f[9].equals("0")) {
                return f[9];
            }
        }
        return null;
    }

    /** The rows of a /proc/net/tcp-style table, split into fields; read once, as the kernel changes it. */
    static List<String[]> rows(String table) {
        try {
            List<String> lines = Files.readAllLines(Path.of(table));
            return lines.subList(1, lines.size()).stream().map(line -> line.trim().split("\\s+")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The port of an address field such as {@code 0100007F:1F90}. */
    static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }
}
