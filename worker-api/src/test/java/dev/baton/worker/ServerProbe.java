package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import dev.baton.worker.runtime.HealthPath;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * A worker's server in a JVM of its own, for what is per JVM and cannot be undone (JMX, which
 * classes were loaded): starts it on loopback, serves one request, and prints what JMX looks like
 * as {@code key=value} lines. {@link #run} runs it from a test.
 * {@code jmx-first} makes the platform MBean server before the worker starts, as an application
 * with JMX remote would; {@code concurrent} has another thread ask for a server meanwhile.
 */
public final class ServerProbe {

    private ServerProbe() {
    }

    /** Runs the probe on this test's JVM and class path; its {@code key=value} lines, and all it printed. */
    static Output run(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx64m");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerProbe.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the probe did not exit");
            assertEquals(0, process.exitValue(), "the probe failed:\n" + output);
            Map<String, String> values = new HashMap<>();
            output.lines().filter(line -> line.matches("[a-z-]+=.*"))
                    .forEach(line -> values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
            return new Output(values, output);
        } finally {
            process.destroyForcibly();
        }
    }

    record Output(Map<String, String> values, String text) {
        String get(String key) {
            return values.get(key);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("concurrent")) {
            concurrent();
            return;
        }
        if (args.length > 0 && args[0].equals("jmx-first")) {
            ManagementFactory.getPlatformMBeanServer();
        }
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            HttpHandler hello = exchange -> exchange.getResponseSender().send("hello");
            HttpWorkerServer server = HttpWorkerServer.adopt(channel, hello, ServeOptions.defaults(),
                    HealthPath.of(null), HttpWorkerServer.DEFAULT_IDLE_GRACE);
            server.startAccepting();
            int status;
            try (Http connection = Http.connect((InetSocketAddress) channel.getLocalAddress())) {
                status = connection.get("/").status();
            }
            System.out.println("served=" + status);
            System.out.println("platform-servers-after-start=" + MBeanServerFactory.findMBeanServer(null).size());
            System.out.println("builder-property=" + System.getProperty(XnioBeans.BUILDER_PROPERTY));
            MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
            System.out.println("runtime-bean=" + platform.isRegistered(new ObjectName(ManagementFactory.RUNTIME_MXBEAN_NAME)));
            System.out.println("xnio-beans=" + platform.queryNames(new ObjectName("org.xnio:*"), null).size());
            System.out.println("thread-pool-beans=" + platform.queryNames(new ObjectName("jboss.threads:*"), null).size());
            server.drain(Duration.ZERO);
        }
    }

    /** Another thread asks for a server while XNIO starts (the start itself stands in here). */
    private static void concurrent() throws Exception {
        XnioBeans.leftOut(() -> {
            Thread other = new Thread(() -> System.out.println("other-thread="
                    + (MBeanServerFactory.newMBeanServer() instanceof MBeanServer ? "server" : "none")));
            other.start();
            try {
                other.join();
                MBeanServerFactory.newMBeanServer();
                System.out.println("starting-thread=given a server");
            } catch (UnsupportedOperationException refused) {
                System.out.println("starting-thread=refused");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        System.out.println("builder-property=" + System.getProperty(XnioBeans.BUILDER_PROPERTY));
    }
}
