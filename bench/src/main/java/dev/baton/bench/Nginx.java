package dev.baton.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where nginx is, for the overhead phase's ceiling. nginx is a Debian package, not a Maven
 * artifact: when it is missing and the benchmark runs as root, it installs the package with
 * apt-get; otherwise the phase runs without nginx, after one loud line on stderr.
 */
final class Nginx {
    /** What the report says instead of nginx's figures when it did not run. */
    static final String NOT_INSTALLED = "nginx: not installed";
    /** Where Debian puts it, which a user's PATH often lacks. */
    private static final List<String> SBIN = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");
    private static final long APT_MINUTES = 5;

    private Nginx() {
    }

    /** The nginx executable, installed first if need be and possible; empty if there is none. */
    static Optional<Path> findOrInstall(Sandbox sandbox) throws IOException, InterruptedException {
        Optional<Path> found = find();
        if (found.isPresent()) {
            return found;
        }
        if (!"root".equals(ProcessHandle.current().info().user().orElse(""))) {
            System.err.println("baton-bench: *** nginx is not installed and this is not root: the overhead phase runs"
                    + " without its nginx ceiling (install Debian's nginx package to add it) ***");
            return Optional.empty();
        }
        System.err.println("baton-bench: nginx is not installed: apt-get install nginx ...");
        Path log = sandbox.dir().resolve("apt.log");
        // A fresh machine has no package lists; the install says what went wrong if the update failed.
        apt(log, "update");
        int status = apt(log, "install", "-y", "--no-install-recommends", "nginx");
        found = find();
        if (found.isEmpty()) {
            sandbox.keep();
            System.err.println("baton-bench: *** apt-get install nginx failed (status " + status + ", see " + log
                    + "): the overhead phase runs without its nginx ceiling ***");
        }
        return found;
    }

    /** The nginx executable on PATH or in an sbin directory, if any. */
    static Optional<Path> find() {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        directories.addAll(SBIN);
        return directories.stream().filter(directory -> !directory.isEmpty()).map(directory -> Path.of(directory, "nginx"))
                .filter(path -> Files.isExecutable(path) && !Files.isDirectory(path)).findFirst();
    }

    /**
     * Runs apt-get, its output appended to {@code log}; its exit status, or -1 if it ran out of
     * time. Not a sandbox process: a dpkg killed half-way would leave the machine's packages broken.
     */
    private static int apt(Path log, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("apt-get", "-q"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process apt = builder.start();
        if (!apt.waitFor(APT_MINUTES, TimeUnit.MINUTES)) {
            return -1;
        }
        return apt.exitValue();
    }
}
