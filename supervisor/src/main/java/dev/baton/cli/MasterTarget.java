package dev.baton.cli;

import dev.baton.control.ControlServer;
import dev.baton.master.PidFile;
import java.nio.file.Path;
import java.util.OptionalInt;
import picocli.CommandLine.Option;

/** How a CLI verb finds its master: the pid file, given directly or named by the config file. */
final class MasterTarget {
    @Option(names = "--pid", paramLabel = "FILE", description = "The master's pid file.")
    Path pid;

    @Option(names = "--config", paramLabel = "FILE", description = "The master's config file; its 'pid' key names the pid file.")
    Path config;

    Path pidFile() {
        if (pid != null) {
            return pid.toAbsolutePath();
        }
        if (config == null) {
            throw new UserError("which master? give --pid FILE or --config FILE");
        }
        ConfigFile file = ConfigFile.read(config);
        if (file.get("pid") == null) {
            throw new UserError("config " + config + " has no 'pid' key: give --pid FILE");
        }
        return Path.of(file.get("pid")).toAbsolutePath();
    }

    /** The pid of the running master, or an error naming the pid file. */
    int livePid() {
        Path pidFile = pidFile();
        OptionalInt master = PidFile.liveMaster(pidFile);
        if (master.isEmpty()) {
            throw new IllegalArgumentException("no running master in pid file " + pidFile);
        }
        return master.getAsInt();
    }

    Path controlSocket() {
        return ControlServer.pathFor(pidFile());
    }
}
