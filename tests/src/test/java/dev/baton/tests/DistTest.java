package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The release archive, unpacked where a server would keep it, run through a symlink on the PATH. */
class DistTest {
    static final String VERSION = System.getProperty("baton.version");
    private static final Duration QUICK = Duration.ofSeconds(30);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void theTarballRunsHelloWithNothingElseFromTheClone() throws Exception {
        Path tarball = Sandbox.HOME.resolve("dist/target/baton-" + VERSION + ".tar.gz");
        assertTrue(Files.isRegularFile(Sandbox.HOME.resolve("dist/target/baton-" + VERSION + ".zip")), "the .zip next to it");
        Path opt = Files.createDirectories(sandbox.dir().resolve("opt"));
        assertEquals(0, sandbox.launch(Map.of(), List.of("tar", "xzf", tarball.toString(), "-C", opt.toString()))
                .awaitExit(QUICK));
        Path home = opt.resolve("baton-" + VERSION);
        for (String file : List.of("README.md", "LICENSE", "lib/baton.jar", "worker-lib/baton-worker-api-" + VERSION + ".jar",
                "examples/systemd/baton.service", "examples/haproxy/haproxy.cfg", "examples/fleet/README.md",
                "examples/starter/pom.xml")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file + " in the archive");
        }
        for (String script : List.of("bin/baton", "examples/fleet/rolling-deploy.sh")) {
            assertTrue(Files.getPosixFilePermissions(home.resolve(script)).contains(PosixFilePermission.OWNER_EXECUTE), script);
        }
        try (var lib = Files.list(home.resolve("lib"))) {
            assertTrue(lib.noneMatch(jar -> jar.getFileName().toString().startsWith("undertow")),
                    "worker libraries stay out of the master's lib/");
        }

        // As on a server: /usr/local/bin/baton -> /opt/baton-<version>/bin/baton.
        Path baton = Files.createSymbolicLink(Files.createDirectories(sandbox.dir().resolve("usr/local/bin")).resolve("baton"),
                home.resolve("bin/baton"));
        Sandbox.Run version = sandbox.launch(Map.of(), List.of(baton.toString(), "--version"));
        assertEquals(0, version.awaitExit(QUICK), version.log());
        assertTrue(version.log().startsWith("baton " + VERSION + "\nJDK " + System.getProperty("java.runtime.version")),
                version.log());
        assertTrue(version.log().contains("picocli 4.7.7") && version.log().contains("undertow-core 2.3.27.Final"), version.log());

        Path app = Files.copy(App.HELLO.jar(), Files.createDirectories(sandbox.dir().resolve("app")).resolve("hello.jar"));
        List<String> start = new ArrayList<>(List.of(baton.toString(), "start", "--listen", "127.0.0.1:0", "--workers", "1", "--"));
        start.addAll(Sandbox.hello().stream().map(arg -> arg.equals(App.HELLO.jar().toString()) ? app.toString() : arg).toList());
        // As on a server, the master's own archive goes to the default place: ~/.cache/baton.
        Path userHome = Files.createDirectories(sandbox.dir().resolve("home/app"));
        Sandbox.Run master = sandbox.launch(Map.of("HOME", userHome.toString(), "BATON_MASTER_CACHE", "", "XDG_CACHE_HOME", ""),
                start).awaitReady();
        master.awaitLog("master gen 1: class-data archive: training " + Pattern.quote(userHome + "/.cache/baton/master-"),
                QUICK);
        String commandLine = Files.readString(Path.of("/proc/" + master.pid() + "/cmdline")).replace('\0', ' ');
        assertTrue(commandLine.contains(home.resolve("lib/baton.jar").toString()) && !commandLine.contains(Sandbox.HOME + "/"),
                "the master runs from the unpacked archive, nothing from the clone: " + commandLine);
        assertEquals(200, Http.get(master.port(), "/").status());
        master.signal("QUIT");
        assertEquals(0, master.awaitExit(QUICK), master.log());
    }
}
