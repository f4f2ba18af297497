package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The workers' JVM cache: from a build's second master on, a worker trains a class-data sharing
 * archive when it exits after its drain, the next generations start with it, and nothing about
 * the cache can break serving.
 */
class JvmCacheTest {
    private static final Duration UPGRADE = Duration.ofSeconds(60);
    private static final Pattern USING = Pattern.compile("\"jvm_cache\":\"using ([^\"]+\\.(?:jsa|aot))\"");
    private static final Pattern FIRST_START = Pattern.compile("\"jvm_cache\":\"none \\(the first start of this build");

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private HelloConfig hello;
    private Path jar;

    /** hello from a copy of its jar, so the test can change the jar as a deploy does. */
    private Sandbox.Run start(String... extra) throws IOException {
        return start(Map.of(), extra);
    }

    private Sandbox.Run start(Map<String, String> environment, String... extra) throws IOException {
        jar = sandbox.dir().resolve("hello.jar");
        Files.copy(App.HELLO.jar(), jar);
        hello = new HelloConfig(sandbox).withDefaultJvmCache();
        configure("1", extra);
        return sandbox.start(environment, List.of("start", "--config", hello.file.toString())).awaitReady();
    }

    private void configure(String version, String... extra) throws IOException {
        List<String> command = App.HELLO.command().stream().map(w -> w.equals(App.HELLO.jar().toString()) ? jar.toString() : w).toList();
        String[] lines = Stream.concat(Stream.of(extra), Stream.of("command = env HELLO_VERSION=" + version + " "
                + String.join(" ", command))).toArray(String[]::new);
        hello.write(version, 2, lines);
    }

    /** Deploys hello at {@code version} with the same config lines as before. */
    private void upgrade(Sandbox.Run baton, String version, String... extra) throws Exception {
        configure(version, extra);
        Sandbox.Result result = sandbox.run(UPGRADE, List.of("upgrade", "--pid", hello.pidFile.toString(), "--wait",
                "--timeout", "50"));
        assertEquals(0, result.exitCode(), result.output() + "\n" + baton.log());
        assertEquals(version, Http.get(baton.port(), "/").version());
    }

    private String status() {
        return Control.request(Path.of(hello.pidFile + ".sock"), "status");
    }

    /** Waits for the master of the generation before {@code generation} to be gone, having written its archive or not. */
    private void awaitOldMasterGone(Sandbox.Run baton, int generation) {
        baton.awaitLog("master gen " + (generation - 1) + ": exiting", UPGRADE);
    }

    @Test
    void aBuildTrainsFromItsSecondMasterOnTheNextOnesStartWithTheArchiveAndANewJarOnlyMarksItsFirst() throws Exception {
        // The master's own archive is trained and used the same way, in a cache of its own.
        Path masterCache = sandbox.dir().resolve("master-cache");
        Sandbox.Run baton = start(Map.of("BATON_MASTER_CACHE", masterCache.toString()));
        Path cacheDir = sandbox.dir().resolve("baton.jvm-cache");
        // The build's first master: no worker pays for training (most builds are started once).
        assertEquals(2, FIRST_START.matcher(status()).results().count(), status());
        baton.awaitLog("master gen 1: class-data archive: training " + Pattern.quote(masterCache.toString()), UPGRADE);
        Path masterArchive = Path.of(baton.awaitLog("master gen 1: class-data archive: wrote (\\S+\\.jsa)", UPGRADE).group(1));
        assertEquals(masterCache, masterArchive.getParent());

        upgrade(baton, "2");
        awaitOldMasterGone(baton, 2);
        int master = Integer.parseInt(Files.readString(hello.pidFile).strip());
        baton.awaitLog("master gen 2: class-data archive: using " + Pattern.quote(masterArchive.toString()), UPGRADE);
        assertTrue(Files.readString(Path.of("/proc/" + master + "/maps")).contains(masterArchive.toString()),
                "the new master maps " + masterArchive);
        assertTrue(status().contains("\"class_data_archive\":\"using " + masterArchive + "\""), status());
        long rss = Long.parseLong(Pattern.compile("\"rss_kib\":(\\d+)").matcher(status()).results().findFirst().orElseThrow().group(1));
        if (Runtime.version().feature() == 17) {
            // Issue 10's footprint, on the JDK it was measured on (25's own libjvm is 2 MB larger).
            assertTrue(rss <= 48 * 1024, "the master's resident memory: " + rss + " KiB");
        }
        Matcher training = baton.awaitLog("gen 2 worker \\d \\(pid \\d+\\): spawned; JVM cache: training (\\S+\\.(?:jsa|aot))", UPGRADE);
        assertTrue(status().contains("\"jvm_cache\":\"training " + cacheDir), status());

        upgrade(baton, "3");
        // Generation 2's trainer writes the archive when it drains, after generation 3 has started:
        // generation 3 starts without it rather than train it again.
        assertEquals(2, baton.count("gen 3 worker \\d \\(pid \\d+\\): spawned; JVM cache: none \\(a worker of master pid "
                + master + " is training " + Pattern.quote(training.group(1)) + "\\)"), baton.log());
        Matcher wrote = baton.awaitLog("gen 2 worker \\d \\(pid \\d+\\): JVM cache: wrote (\\S+\\.(?:jsa|aot))", UPGRADE);
        Path archive = Path.of(wrote.group(1));
        assertEquals(training.group(1), archive.toString());
        assertEquals(cacheDir, archive.getParent());

        awaitOldMasterGone(baton, 3);
        upgrade(baton, "4");
        baton.awaitLog("gen 4 worker 0 \\(pid \\d+\\): spawned; JVM cache: using " + Pattern.quote(archive.toString()), UPGRADE);
        baton.awaitLog("gen 4 worker 1 \\(pid \\d+\\): spawned; JVM cache: using " + Pattern.quote(archive.toString()), UPGRADE);
        Sandbox.Result json = sandbox.run(UPGRADE, List.of("status", "--json", "--pid", hello.pidFile.toString()));
        assertEquals(0, json.exitCode(), json.output());
        Matcher using = USING.matcher(json.output());
        assertTrue(using.find() && using.group(1).equals(archive.toString()) && using.find(), json.output());
        assertFalse(baton.log().contains("warning"), "no JVM warning in the log:\n" + baton.log());
        // On the command line, not in JDK_JAVA_OPTIONS, which the launcher announces at every start.
        assertFalse(baton.log().contains("Picked up JDK_JAVA_OPTIONS"), baton.log());
        for (Control.Worker worker : Control.workers(status())) {
            String argv = Processes.commandLine(worker.pid()).replace('\0', ' ');
            assertTrue(argv.contains("-XX:SharedArchiveFile=" + archive) || argv.contains("-XX:AOTCache=" + archive), argv);
        }

        // A deploy of a new build: the old archive no longer matches and is not offered, no error,
        // and no worker of this first start of the build trains.
        awaitOldMasterGone(baton, 4);
        assertEquals(0, baton.count("gen 3 worker \\d \\(pid \\d+\\): JVM cache: "), "generation 3 wrote nothing:\n" + baton.log());
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertEquals(List.of(), files.map(Path::toString).filter(name -> name.endsWith(".training")).toList(),
                    "no master is training any more");
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        upgrade(baton, "5");
        assertTrue(status().contains("\"generation\":5"), status());
        assertEquals(2, FIRST_START.matcher(status()).results().count(), status());
        assertEquals(0, baton.count("gen 5 worker \\d \\(pid \\d+\\): spawned; JVM cache: (using|training)"), baton.log());
    }

    @Test
    void aCacheDirectoryThatCannotBeWrittenChangesNothingForClients() throws Exception {
        // Under a regular file no directory can be made, for root too (a chmod would not stop root).
        Path file = sandbox.dir().resolve("not-a-directory");
        Files.writeString(file, "");
        Path cacheDir = file.resolve("cache");
        Sandbox.Run baton = start("jvm-cache = " + cacheDir);
        assertTrue(status().contains("\"jvm_cache\":\"none (cannot use " + cacheDir), status());
        try (Load load = new Load(baton.port(), 2, 2, Duration.ofMinutes(2), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 50);
            upgrade(baton, "2", "jvm-cache = " + cacheDir);
            long before = load.ok();
            Poll.until("version 2 serving the load", Duration.ofSeconds(10),
                    () -> "2".equals(load.lastVersion()) && load.ok() > before + 20);
            load.close();
            assertEquals(List.of(), load.failures(), "failed requests");
        }
        baton.awaitLog("JVM cache: cannot use " + Pattern.quote(cacheDir.toString()) + ".*: workers start without an archive",
                Duration.ofSeconds(1));
        assertFalse(Files.isDirectory(cacheDir));
    }

    @Test
    void offMeansNoArchiveAndNoFlags() throws Exception {
        Sandbox.Run baton = start("jvm-cache = off");
        String status = status();
        assertEquals(2, Control.workers(status).size(), status);
        for (Control.Worker worker : Control.workers(status)) {
            String environment = Files.readString(Path.of("/proc/" + worker.pid() + "/environ"));
            assertFalse(environment.contains("JDK_JAVA_OPTIONS"), "worker " + worker.pid() + " environment: " + environment);
        }
        assertEquals(2, Pattern.compile("\"jvm_cache\":\"none \\(--jvm-cache off\\)\"").matcher(status).results().count(), status);
        baton.signal("QUIT");
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(30)));
        assertFalse(Files.exists(sandbox.dir().resolve("baton.jvm-cache")), "no cache directory beside the pid file");
        assertFalse(baton.log().contains("JDK_JAVA_OPTIONS"), baton.log());
    }
}
