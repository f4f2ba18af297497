package dev.baton.worker;

import dev.baton.testing.Http;
import dev.baton.worker.runtime.HealthPath;
import io.undertow.server.HttpHandler;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Run by {@link XnioBeansTest} in a JVM of its own (JMX state is per JVM and cannot be undone):
 * starts a worker's server on loopback, serves one request, and prints what JMX looks like.
 * {@code jmx-first} makes the platform MBean server before the worker starts, as an application
 * with JMX remote would; {@code concurrent} has another thread ask for a server meanwhile.
 */
public final class XnioBeansProbe {

    private XnioBeansProbe() {
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
