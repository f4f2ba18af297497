package dev.baton.master;

import dev.baton.posix.Posix;
import dev.baton.spawn.ExitStatus;
import java.util.function.IntPredicate;

/**
 * A container's pid 1 is the parent of every process orphaned inside it (a worker command's shell
 * that forked, an application's helper that outlived its parent), and what pid 1 does not reap
 * stays a zombie for the container's life. The master reaps those; its own children it leaves to
 * their owners, who wait for them by pid (never waitpid(-1): that would steal their statuses).
 */
final class Orphans {
    private Orphans() {
    }

    /** Reaps every exited child that {@code ours} does not claim. */
    static void reap(String self, IntPredicate ours) {
        int pid;
        while ((pid = Posix.exitedChild()) > 0 && !ours.test(pid)) {
            Log.line(self, "reaped orphan (pid " + pid + "), " + ExitStatus.of(Posix.waitNoHang(pid)));
        }
    }
}
