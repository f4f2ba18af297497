package dev.baton.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.spawn.ExitStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Posix's behaviour through whichever binding this JVM takes: run by failsafe against baton.jar,
 * so JDK 22+ reads the FFM binding from META-INF/versions/22 exactly as bin/baton's master does,
 * and JDK 17-21 the jnr-ffi one. .ci/run runs it on both.
 */
class PosixIT {
    private static final int SIGWINCH = 28;
    private static final int SIGUSR1 = 10;
    private static final long DEADLINE_NANOS = 10_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void jdk22AndLaterUseFfmWhenTheJarCarriesItAndOlderJdksJnr() {
        boolean ffmInJar = Posix.class.getResource("/META-INF/versions/22/dev/baton/posix/FfmCalls.class") != null;
        boolean ffm = Runtime.version().feature() >= 22 && ffmInJar && !"jnr".equals(System.getProperty("baton.native"));
        assertEquals(ffm ? "ffm" : "jnr", Posix.binding(), "JDK " + Runtime.version() + ", FFM in jar: " + ffmInJar);
    }

    @Test
    void pidIsThisProcesssAndItExists() {
        assertEquals(ProcessHandle.current().pid(), Posix.pid());
        assertTrue(Posix.exists(Posix.pid()));
        assertTrue(Posix.kill(Posix.pid(), 0));
    }

    @Test
    void aPipeCarriesBytesAndEndsWhenItsWriteEndCloses() {
        int[] pipe = Posix.pipe();
        byte[] message = "hello\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        assertTrue(Posix.write(pipe[1], message));
        Posix.close(pipe[1]);
        assertArrayEquals(message, readAll(pipe[0]));
        Posix.close(pipe[0]);
    }

    @Test
    void writingToAPipeWhoseReaderIsGoneSaysSo() {
        int[] pipe = Posix.pipe();
        Posix.close(pipe[0]);
        // The JVM ignores SIGPIPE, so the write fails with EPIPE instead of killing the process.
        assertFalse(Posix.write(pipe[1], new byte[] {1}));
        Posix.close(pipe[1]);
    }

    @Test
    void aFailedCallNamesItselfAndItsErrno() {
        PosixException e = assertThrows(PosixException.class,
                () -> Posix.openForAppend(dir.resolve("missing/file.log").toString()));
        assertEquals(PosixException.ENOENT, e.errno());
        assertTrue(e.getMessage().startsWith("open(") && e.getMessage().endsWith(": No such file or directory"),
                e.getMessage());
    }

    @Test
    void filesOpenCloseOnExecAndDup2MakesAnInheritableCopy() throws IOException {
        Path log = dir.resolve("a.log");
        int fd = Posix.openForAppend(log.toString());
        assertTrue(closeOnExec(fd));
        Posix.setCloseOnExec(fd, false);
        assertFalse(closeOnExec(fd));
        Posix.setCloseOnExec(fd, true);
        assertTrue(closeOnExec(fd));

        int[] spare = Posix.pipe();
        Posix.dup2(fd, spare[0]);
        assertFalse(closeOnExec(spare[0]), "a dup2 copy is inherited");
        assertTrue(Posix.write(spare[0], "via copy\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Posix.write(fd, "via original\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("via copy\nvia original\n", Files.readString(log));
        Posix.close(spare[0]);
        Posix.close(spare[1]);
        Posix.close(fd);
    }

    @Test
    void aSpawnedChildGetsExactlyItsFdsItsDirectoryAndItsSignalMaskAndIsReaped() throws IOException {
        int[] out = Posix.pipe();
        int[] unrelated = Posix.pipe();
        Posix.setCloseOnExec(unrelated[0], false); // even an inheritable fd must not reach the child
        String script = "pwd >&3; ls /proc/self/fd >&3; exit 7";
        TreeMap<Integer, Integer> fds = new TreeMap<>(Map.of(3, out[1]));
        int pid = Posix.spawn(List.of("sh", "-c", script), Map.of("PATH", System.getenv("PATH")), fds,
                dir.toString(), SIGUSR1);
        Posix.close(out[1]);
        List<String> lines = new String(readAll(out[0]), StandardCharsets.UTF_8).lines().toList();
        Posix.close(out[0]);
        Posix.close(unrelated[0]);
        Posix.close(unrelated[1]);

        assertEquals(dir.toRealPath().toString(), lines.get(0));
        // ls's own directory fd shows up beside 0-3; nothing above it.
        List<String> childFds = lines.subList(1, lines.size());
        assertEquals(List.of("0", "1", "2", "3"), childFds.subList(0, 4), "child fds: " + childFds);
        assertTrue(childFds.size() <= 5, "child fds: " + childFds);

        assertEquals(pid, awaitExited(), "the exited child is reported, not reaped");
        assertEquals(new ExitStatus(7, 0), ExitStatus.of(awaitStatus(pid)));
        assertFalse(Posix.exists(pid));
        assertFalse(Posix.kill(pid, 0));
    }

    @Test
    void aSpawnedChildHasTheMaskItIsGivenAndNotOurs() {
        // grep itself, not a shell: dash clears its signal mask when it starts.
        int[] out = Posix.pipe();
        int pid = Posix.spawn(List.of("grep", "SigBlk", "/proc/self/status"), Map.of("PATH", System.getenv("PATH")),
                new TreeMap<>(Map.of(1, out[1])), null, SIGUSR1);
        Posix.close(out[1]);
        String status = new String(readAll(out[0]), StandardCharsets.UTF_8).trim();
        Posix.close(out[0]);
        assertEquals("SigBlk:\t0000000000000200", status, "USR1 alone blocked");
        assertEquals(0, ExitStatus.of(awaitStatus(pid)).code());
    }

    @Test
    void aCommandThatIsNotThereFailsToSpawnWithENOENT() {
        PosixException e = assertThrows(PosixException.class, () -> Posix.spawn(List.of("no-such-command-baton"),
                Map.of("PATH", "/usr/bin:/bin"), new TreeMap<>(), null));
        assertEquals(PosixException.ENOENT, e.errno());
    }

    @Test
    void aListeningSocketAcceptsConnectionsAndItsPortCannotBeTakenTwice() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        int fd = Posix.listen(loopback, 16);
        try {
            assertTrue(Posix.isListening(fd));
            InetSocketAddress bound = Posix.localAddress(fd);
            assertEquals(loopback.getAddress(), bound.getAddress());
            assertNotEquals(0, bound.getPort());
            try (Socket client = new Socket(bound.getAddress(), bound.getPort())) {
                assertTrue(client.isConnected());
            }
            PosixException taken = assertThrows(PosixException.class, () -> Posix.listen(bound, 16));
            assertEquals(PosixException.EADDRINUSE, taken.errno());
        } finally {
            Posix.close(fd);
        }
        int[] pipe = Posix.pipe();
        assertFalse(Posix.isListening(pipe[0]));
        Posix.close(pipe[0]);
        Posix.close(pipe[1]);
    }

    @Test
    void anIpv6ListenerKnowsItsAddress() throws IOException {
        InetSocketAddress any6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        int fd;
        try {
            fd = Posix.listen(any6, 4);
        } catch (PosixException noIpv6) {
            assertEquals(PosixException.EADDRNOTAVAIL, noIpv6.errno(), noIpv6.getMessage());
            return;
        }
        try {
            InetSocketAddress bound = Posix.localAddress(fd);
            assertEquals(any6.getAddress(), bound.getAddress());
            assertNotEquals(0, bound.getPort());
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void blockedSignalsAreThoseOfTheCallingThread() throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            boolean before = Posix.signalsBlocked(SIGWINCH);
            Posix.blockSignals(SIGWINCH);
            seen.set(before + " " + Posix.signalsBlocked(SIGWINCH));
        });
        thread.start();
        thread.join(DEADLINE_NANOS / 1_000_000);
        assertEquals("false true", seen.get());
        assertFalse(Posix.signalsBlocked(SIGWINCH), "this thread's mask is untouched");
    }

    @Test
    void theMonotonicClockIsTheOneNanoTimeReads() {
        // HotSpot on Linux reads CLOCK_MONOTONIC for nanoTime; a binding reading the wrong words
        // of the timespec would be off by years, not by microseconds.
        long before = System.nanoTime() / 1_000;
        long micros = Posix.monotonicMicros();
        long after = System.nanoTime() / 1_000;
        assertTrue(before <= micros && micros <= after, before + " <= " + micros + " <= " + after);
    }

    private static byte[] readAll(int fd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[1000];
        int n;
        while ((n = Posix.read(fd, buffer)) > 0) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }

    private static boolean closeOnExec(int fd) throws IOException {
        String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                .filter(line -> line.startsWith("flags:")).findFirst().orElseThrow();
        return (Integer.parseInt(flags.substring("flags:".length()).trim(), 8) & 02000000) != 0;
    }

    private static int awaitExited() {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        int pid;
        while ((pid = Posix.exitedChild()) == 0) {
            assertTrue(System.nanoTime() < deadline, "no child exited within 10 s");
            Thread.onSpinWait();
        }
        return pid;
    }

    private static int awaitStatus(int pid) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        int status;
        while ((status = Posix.waitNoHang(pid)) == Posix.STILL_RUNNING) {
            assertTrue(System.nanoTime() < deadline, "child " + pid + " still running after 10 s");
            Thread.onSpinWait();
        }
        return status;
    }
}
