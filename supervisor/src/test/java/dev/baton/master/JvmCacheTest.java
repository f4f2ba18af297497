package dev.baton.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which archive a worker gets, and when one is kept: the JVM cache's choices, with real files and no JVM started. */
class JvmCacheTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    Path dir;
    private JvmCache cache;
    private Path jar;
    private long turns;

    @BeforeEach
    void cacheAndJar() throws IOException {
        cache = new JvmCache(dir.resolve("cache"));
        jar = dir.resolve("app.jar");
        Files.write(jar, new byte[] {1, 2, 3});
    }

    /** A turn of the master's loop of its own: the cache reads the command's files afresh. */
    private long turn() {
        return ++turns;
    }

    private Map<String, String> environment() {
        return new HashMap<>(Map.of("PATH", "/usr/bin:/bin"));
    }

    private List<String> command(Path jar, String version) {
        return List.of("env", "HELLO_VERSION=" + version, JAVA, "-Xmx64m", "-jar", jar.toString());
    }

    /** What a training JVM does at exit: writes the archive to the file it was given; then the master reaps it. */
    private void trained(JvmCache.Use use, boolean clean) throws IOException {
        Files.write(use.training(), new byte[] {42});
        cache.exited(use, clean, "test");
    }

    /** The master after one that started this build first: what every later master is. */
    private JvmCache afterFirstStart(List<String> command, Map<String, String> environment) {
        JvmCache first = new JvmCache(dir.resolve("cache"));
        assertEquals(JvmCache.Use.Kind.NONE, first.prepare(command, environment, turn()).kind());
        return new JvmCache(dir.resolve("cache"));
    }

    @Test
    void aBuildIsTrainedFromItsSecondMasterOnNeverAtItsFirst() throws IOException {
        JvmCache.Use first = cache.prepare(command(jar, "1"), environment(), turn());
        assertEquals(JvmCache.Use.Kind.NONE, first.kind(), first.describe());
        assertTrue(first.describe().contains("the first start of this build"), first.describe());
        assertEquals(JvmCache.Use.Kind.NONE, cache.prepare(command(jar, "1"), environment(), turn()).kind(),
                "nor does another worker of that first master");
        assertEquals(JvmCache.Use.Kind.TRAINING, new JvmCache(dir.resolve("cache")).prepare(command(jar, "2"), environment(), turn()).kind(),
                "the next master trains");
    }

    @Test
    void aTrainedArchiveIsUsedByTheNextWorkersWhateverTheirEnvAssignments() throws IOException {
        cache = afterFirstStart(command(jar, "1"), mine());
        JvmCache.Use training = cache.prepare(command(jar, "1"), mine(), turn());
        assertEquals(JvmCache.Use.Kind.TRAINING, training.kind(), training.describe());
        List<String> trainer = training.apply(command(jar, "1"));
        String flag = training.aot() ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=";
        assertEquals(List.of("env", "HELLO_VERSION=1", JAVA, flag + training.training()),
                trainer.subList(0, 4), "the flags right after java, before the command's own: " + trainer);
        assertEquals(List.of("-Xmx64m", "-jar", jar.toString()), trainer.subList(trainer.size() - 3, trainer.size()));

        JvmCache.Use second = cache.prepare(command(jar, "2"), mine(), turn());
        assertEquals(JvmCache.Use.Kind.NONE, second.kind(), "one trainer at a time: " + second.describe());

        trained(training, true);
        assertFalse(Files.exists(training.training()));
        JvmCache.Use using = cache.prepare(command(jar, "3"), mine(), turn());
        assertEquals(JvmCache.Use.Kind.USING, using.kind(), using.describe());
        assertEquals(training.archive(), using.archive());
        assertTrue(using.apply(command(jar, "3")).contains((using.aot() ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + using.archive()),
                using.apply(command(jar, "3")).toString());

        JvmCache.Use other = cache.prepare(command(jar, "3"), environment(), turn());
        assertEquals(JvmCache.Use.Kind.NONE, other.kind(), other.describe());
        assertTrue(other.describe().contains("the first start of this build"), "other JVM options of the user's are "
                + "another archive, not yet trained: " + other.describe());
    }

    /** The user's own JDK_JAVA_OPTIONS: part of what an archive is named by. */
    private Map<String, String> mine() {
        Map<String, String> environment = environment();
        environment.put("JDK_JAVA_OPTIONS", "-Dmine=1");
        return environment;
    }

    @Test
    void aChangedJarTrainsAnotherArchiveWhichReplacesTheOld() throws IOException {
        cache = afterFirstStart(command(jar, "1"), environment());
        JvmCache.Use first = cache.prepare(command(jar, "1"), environment(), turn());
        trained(first, true);

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        cache = afterFirstStart(command(jar, "1"), environment());
        JvmCache.Use second = cache.prepare(command(jar, "1"), environment(), turn());
        assertEquals(JvmCache.Use.Kind.TRAINING, second.kind(), second.describe());
        assertNotEquals(first.archive(), second.archive());
        assertTrue(Files.exists(first.archive()), "the old archive stays until the new one is written");
        trained(second, true);
        assertTrue(Files.exists(second.archive()));
        assertFalse(Files.exists(first.archive()), "the stale archive is removed");
    }

    /** A generation's workers are spawned in one turn of the master's loop. */
    @Test
    void theSpawnsOfOneTurnReadTheFilesOnceTheNextTurnReadsThemAgain() throws IOException {
        cache = afterFirstStart(command(jar, "1"), environment());
        long turn = turn();
        JvmCache.Use first = cache.prepare(command(jar, "1"), environment(), turn);
        assertEquals(JvmCache.Use.Kind.TRAINING, first.kind(), first.describe());
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
        JvmCache.Use sameTurn = cache.prepare(command(jar, "1"), environment(), turn);
        assertEquals("another worker is training " + first.archive(), sameTurn.detail(), "the files as the turn first read them");
        JvmCache.Use nextTurn = cache.prepare(command(jar, "1"), environment(), turn());
        assertEquals("the first start of this build: its next master trains one", nextTurn.detail(), "the changed jar is another build");
    }

    @Test
    void aWorkerThatDidNotExitCleanlyLeavesNoArchive() throws IOException {
        cache = afterFirstStart(command(jar, "1"), environment());
        JvmCache.Use use = cache.prepare(command(jar, "1"), environment(), turn());
        trained(use, false);
        assertFalse(Files.exists(use.archive()));
        assertFalse(Files.exists(use.training()));
        assertEquals(JvmCache.Use.Kind.TRAINING, cache.prepare(command(jar, "1"), environment(), turn()).kind(),
                "the next worker trains again");
    }

    @Test
    void whatAnotherRunningMasterTrainsIsNotTrainedAgainButAGoneMastersMarkerCountsForNothing() throws Exception {
        cache = afterFirstStart(command(jar, "1"), environment());
        JvmCache.Use ours = cache.prepare(command(jar, "1"), environment(), turn());
        Path marker = TrainingMarker.beside(ours.archive());
        assertEquals(TrainingMarker.ofThisMaster(), TrainingMarker.of(ProcessHandle.current()).orElseThrow());
        assertTrue(Files.exists(marker), "a training master says so beside the archive");
        trained(ours, false);
        assertFalse(Files.exists(marker), "and takes it back when its trainer exits");

        // Another master (a live process that is not this one) is training the archive: the old
        // generation's, whose trainer writes it only when it drains, after the new one started.
        Process otherMaster = new ProcessBuilder("sleep", "60").start();
        try {
            TrainingMarker.of(otherMaster.toHandle()).orElseThrow().claim(ours.archive());
            JvmCache.Use next = new JvmCache(dir.resolve("cache")).prepare(command(jar, "2"), environment(), turn());
            assertEquals(JvmCache.Use.Kind.NONE, next.kind(), next.describe());
            assertEquals("a worker of master pid " + otherMaster.pid() + " is training " + ours.archive(), next.detail());

            // The same pid with another start time is another process: that master is gone.
            new TrainingMarker(otherMaster.pid(), 1).claim(ours.archive());
            cache = new JvmCache(dir.resolve("cache"));
            JvmCache.Use afterReuse = cache.prepare(command(jar, "2"), environment(), turn());
            assertEquals(JvmCache.Use.Kind.TRAINING, afterReuse.kind(), afterReuse.describe());
            trained(afterReuse, false);

            TrainingMarker.of(otherMaster.toHandle()).orElseThrow().claim(ours.archive());
            otherMaster.destroy();
            otherMaster.waitFor();
            cache = new JvmCache(dir.resolve("cache"));
            JvmCache.Use afterItWent = cache.prepare(command(jar, "3"), environment(), turn());
            assertEquals(JvmCache.Use.Kind.TRAINING, afterItWent.kind(), "a killed master's marker counts for nothing");
            trained(afterItWent, true);
            assertTrue(Files.exists(afterItWent.archive()));
            assertFalse(Files.exists(marker));
        } finally {
            otherMaster.destroyForcibly();
        }
    }

    @Test
    void noFlagsWhenOffForAScriptOrWhenTheDirectoryCannotBeMade() throws IOException {
        Map<String, String> environment = environment();
        assertEquals(JvmCache.Use.Kind.NONE, new JvmCache(null).prepare(command(jar, "1"), environment, turn()).kind());
        assertEquals(JvmCache.Use.Kind.NONE, cache.prepare(List.of("/bin/sh", "run.sh"), environment, turn()).kind());
        Path file = dir.resolve("file");
        Files.writeString(file, "");
        JvmCache.Use use = new JvmCache(file.resolve("cache")).prepare(command(jar, "1"), environment, turn());
        assertEquals(JvmCache.Use.Kind.NONE, use.kind());
        assertTrue(use.describe().contains("cannot use " + file.resolve("cache")), use.describe());
        assertEquals(command(jar, "1"), use.apply(command(jar, "1")), "no flags");
    }

    @Test
    void theFeatureReleaseFromAReleaseFile() {
        assertEquals(17, JvmCache.major("IMPLEMENTOR=\"Debian\"\nJAVA_VERSION=\"17.0.15\"\n"));
        assertEquals(25, JvmCache.major("JAVA_VERSION=\"25\"\n"));
        assertEquals(8, JvmCache.major("JAVA_VERSION=\"1.8.0_392\"\n"));
        assertEquals(0, JvmCache.major("nothing\n"));
    }
}
