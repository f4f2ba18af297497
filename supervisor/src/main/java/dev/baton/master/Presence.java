package dev.baton.master;

import dev.baton.control.ControlServer;
import dev.baton.control.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where operators find a master: its pid file and the control socket beside it. The one owner of
 * both paths, so they always move together: {@code <pid>} and {@code <pid>.sock} name the serving
 * master, {@code <pid>.oldbin} and {@code <pid>.oldbin.sock} the old one during an upgrade.
 * Without a pid file there is neither, and every method does nothing.
 */
final class Presence {
    private final Path pidFile;
    private final int pid;
    /** Where our pid is written now (the pid file or its .oldbin), or null. */
    private Path current;
    private ControlServer control;

    Presence(Path pidFile, int pid) {
        this.pidFile = pidFile;
        this.pid = pid;
    }

    /** Writes the pid file and opens the control socket beside it. */
    void claim(Consumer<Request> onRequest) {
        if (pidFile == null) {
            return;
        }
        PidFile.write(pidFile, pid);
        current = pidFile;
        try {
            control = ControlServer.open(ControlServer.pathFor(pidFile), onRequest, problem -> Log.line("master", problem));
        } catch (IOException e) {
            PidFile.removeIfOwned(pidFile, pid);
            throw new IllegalArgumentException("cannot open control socket " + ControlServer.pathFor(pidFile) + ": "
                    + e.getMessage(), e);
        }
    }

    /** An upgrade starts: the pid file and socket make room for the new master's. */
    void stepAside() {
        moveTo(PidFile.oldbin(pidFile));
    }

    /** The upgrade failed: this master is the serving one again. */
    void stepBack() {
        moveTo(pidFile);
    }

    private void moveTo(Path target) {
        if (current == null || current.equals(target) || !PidFile.move(current, target, pid)) {
            return;
        }
        current = target;
        try {
            control.moveTo(ControlServer.pathFor(target));
        } catch (IOException e) {
            Log.line("master", "cannot move control socket to " + ControlServer.pathFor(target) + ": " + e.getMessage());
        }
    }

    /**
     * A new master that gives up while its old master lives: the old master moves its .oldbin back
     * over the pid file once this process is gone, so the pid file is not ours to remove.
     */
    void leavePidFile() {
        current = null;
    }

    /** The .oldbin of an old master that died: nobody is left to take it back. */
    void removeStaleOldbin(int oldMaster) {
        if (pidFile == null || PidFile.read(PidFile.oldbin(pidFile)).orElse(-1) != oldMaster) {
            return;
        }
        PidFile.removeIfOwned(PidFile.oldbin(pidFile), oldMaster);
        try {
            Files.deleteIfExists(ControlServer.pathFor(PidFile.oldbin(pidFile)));
        } catch (IOException e) {
            Log.line("master", "cannot remove " + ControlServer.pathFor(PidFile.oldbin(pidFile)) + ": " + e.getMessage());
        }
    }

    /** This master exits: its pid file (if it still names us) and its socket go. */
    void release() {
        if (current != null) {
            PidFile.removeIfOwned(current, pid);
            current = null;
        }
        if (control != null) {
            control.close();
            control = null;
        }
    }
}
