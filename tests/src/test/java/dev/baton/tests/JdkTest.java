package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever JDK runs Baton: its log carries Baton's lines only, and a deploy may move the workers
 * to another JDK. .ci/run runs these on the default JDK and again on JDK 25.
 */
// Once, on the default JDK (.ci/run): it runs both JDKs itself: an upgrade from one to the other.
@Tag(Sandbox.ONCE)
class JdkTest {
    private static final Duration UPGRADE = Duration.ofSeconds(60);
    /** A Java stack frame or the line that starts a trace, as a JVM prints them. */
    private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at [\\w.$/]+\\(|^Exception in thread|^Caused by: ");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void theLogThroughStartThreeUpgradesAndQuitHasNoWarningAndNoStackTrace() throws Exception {
        HelloConfig hello = new HelloConfig(sandbox);
        hello.write("1", 2);
        Sandbox.Run baton = hello.start(sandbox).awaitReady();
        int master = baton.pid();
        int feature = feature(jdkOf(master));
        // The binding the master took: jffi unpacks and maps a native library, FFM maps none.
        boolean jffi = Files.readString(Path.of("/proc/" + master + "/maps")).contains("jffi");
        boolean ffm = feature >= 22 && ffmInJar();
        assertEquals(!ffm, jffi, "JDK " + feature + " master, FFM in baton.jar: " + ffmInJar() + ", jffi mapped: " + jffi);
        for (int version = 2; version <= 4; version++) {
            hello.write(Integer.toString(version), 2);
            Sandbox.Result result = upgrade(hello);
            assertEquals(0, result.exitCode(), result.output());
            assertEquals(Integer.toString(version), Http.get(baton.port(), "/").version());
        }
        Processes.signal(pidIn(hello), "QUIT");
        Poll.until("last master gone", Duration.ofSeconds(30), () -> sandbox.survivors().isEmpty());
        String log = baton.log();
        assertEquals(4, Pattern.compile("master gen \\d+: exiting with status 0").matcher(log).results().count(), log);
        assertFalse(log.contains("WARNING"), "JDK " + feature + " log has a WARNING line:\n" + log);
        assertFalse(STACK_TRACE.matcher(log).find(), "JDK " + feature + " log has a stack trace:\n" + log);
    }

    @Test
    void anUpgradeMovesTheWorkersToAnotherJdkUnderLoadDroppingNothing() throws Exception {
        Path current = jdkOf(javaOnPath());
        Optional<Path> other = otherJdk(feature(current));
        assumeTrue(other.isPresent(), "only one JDK feature release installed under /usr/lib/jvm");
        Path otherJava = other.get().resolve("bin/java");

        HelloConfig hello = new HelloConfig(sandbox);
        hello.write("1", 2);
        Sandbox.Run baton = hello.start(sandbox).awaitReady();
        int port = baton.port();
        assertEquals(current, jdkOf(Http.get(port, "/").pid()));
        try (Load load = new Load(port, 2, 2, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            hello.write("2", 2, "command = env HELLO_VERSION=2 " + String.join(" ", Sandbox.hello(otherJava.toString())));
            Sandbox.Result result = upgrade(hello);
            assertEquals(0, result.exitCode(), result.output());
            long okBefore = load.ok();
            Poll.until("version 2 served", Duration.ofSeconds(10), () -> "2".equals(load.lastVersion()) && load.ok() > okBefore + 20);
            for (int worker : Processes.workers(pidIn(hello))) {
                assertEquals(other.get(), jdkOf(worker), "worker " + worker);
            }
            assertEquals(other.get(), jdkOf(Http.get(port, "/").pid()));
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
            assertTrue(load.versions().containsKey("1") && load.versions().containsKey("2"), "versions: " + load.versions());
        }
    }

    private static boolean ffmInJar() throws IOException {
        try (ZipFile jar = new ZipFile(Sandbox.HOME.resolve("supervisor/target/baton.jar").toFile())) {
            return jar.getEntry("META-INF/versions/22/dev/baton/posix/FfmCalls.class") != null;
        }
    }

    private Sandbox.Result upgrade(HelloConfig hello) throws Exception {
        return sandbox.run(UPGRADE, List.of("upgrade", "--pid", hello.pidFile.toString(), "--wait", "--timeout", "50"));
    }

    private static int pidIn(HelloConfig hello) throws IOException {
        return Integer.parseInt(Files.readString(hello.pidFile).trim());
    }

    /** The home of the JDK a process runs: its executable is {@code <home>/bin/java}. */
    private static Path jdkOf(int pid) throws IOException {
        return jdkOf(Path.of("/proc/" + pid + "/exe").toRealPath());
    }

    private static Path jdkOf(Path java) throws IOException {
        return java.toRealPath().getParent().getParent();
    }

    /** The {@code java} a worker command finds on PATH, as the tests' commands name it. */
    private static Path javaOnPath() {
        for (String dir : System.getenv("PATH").split(":")) {
            Path java = Path.of(dir, "java");
            if (Files.isExecutable(java)) {
                return java;
            }
        }
        throw new AssertionError("no java on PATH");
    }

    /** The feature release from a JDK's {@code release} file: JAVA_VERSION="25.0.3" is 25. */
    private static int feature(Path home) throws IOException {
        Matcher version = Pattern.compile("(?m)^JAVA_VERSION=\"(1\\.)?(\\d+)").matcher(Files.readString(home.resolve("release")));
        assertTrue(version.find(), "no JAVA_VERSION in " + home.resolve("release"));
        return Integer.parseInt(version.group(2));
    }

    private static Optional<Path> otherJdk(int feature) throws IOException {
        try (DirectoryStream<Path> homes = Files.newDirectoryStream(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes) {
                if (Files.isExecutable(home.resolve("bin/java")) && Files.exists(home.resolve("release"))
                        && feature(home) >= 17 && feature(home) != feature) {
                    return Optional.of(home.toRealPath());
                }
            }
        }
        return Optional.empty();
    }
}
