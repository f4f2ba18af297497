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
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                if (local == serverPort && remote == clientPort && !f[9].equals("0")) {
                    return f[9];
                }
            }
            return null;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
