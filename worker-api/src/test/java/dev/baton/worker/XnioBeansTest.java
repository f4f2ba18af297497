package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker's start leaves the JVM's platform MBean server alone (it cost 75-160 ms of every
 * worker's start-up), yet the application can still use JMX, and XNIO's beans are there when JMX
 * was up already or they are asked for. Each case is a JVM of its own: {@link XnioBeansProbe}.
 */
class XnioBeansTest {

    @Test
    void aWorkerStartCreatesNoPlatformMBeanServerAndTheApplicationStillGetsOne() throws Exception {
        Map<String, String> jmx = probe(List.of());
        assertEquals("200", jmx.get("served"));
        assertEquals("0", jmx.get("platform-servers-after-start"), "the worker's start built the platform MBean server");
        assertEquals("null", jmx.get("builder-property"), "the JDK's builder property was not put back");
        assertEquals("true", jmx.get("runtime-bean"), "the application's platform MBean server lacks the JDK's beans");
        assertEquals("0", jmx.get("xnio-beans"));
        assertEquals("0", jmx.get("thread-pool-beans"));
    }

    @Test
    void xnioRegistersItsBeansWhenJmxIsAlreadyUp() throws Exception {
        Map<String, String> jmx = probe(List.of(), "jmx-first");
        assertEquals("200", jmx.get("served"));
        assertTrue(Integer.parseInt(jmx.get("xnio-beans")) > 0, "no org.xnio beans: " + jmx);
        assertTrue(Integer.parseInt(jmx.get("thread-pool-beans")) > 0, "no jboss.threads beans: " + jmx);
    }

    @Test
    void xnioRegistersItsBeansWhenAskedTo() throws Exception {
        Map<String, String> jmx = probe(List.of("-D" + XnioBeans.WANTED_PROPERTY + "=true"));
        assertEquals("200", jmx.get("served"));
        assertEquals("1", jmx.get("platform-servers-after-start"));
        assertTrue(Integer.parseInt(jmx.get("xnio-beans")) > 0, "no org.xnio beans: " + jmx);
    }

    @Test
    void anotherThreadAskingWhileTheWorkerStartsGetsAnOrdinaryServer() throws Exception {
        Map<String, String> jmx = probe(List.of(), "concurrent");
        assertEquals("refused", jmx.get("starting-thread"));
        assertEquals("server", jmx.get("other-thread"));
        assertEquals("null", jmx.get("builder-property"));
    }

    /** Runs the probe on this test's JVM and class path; its {@code key=value} lines. */
    private static Map<String, String> probe(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx64m");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), XnioBeansProbe.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the probe did not exit");
            assertEquals(0, process.exitValue(), "the probe failed:\n" + output);
            Map<String, String> values = new HashMap<>();
            output.lines().filter(line -> line.matches("[a-z-]+=.*"))
                    .forEach(line -> values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
            return values;
        } finally {
            process.destroyForcibly();
        }
    }
}
