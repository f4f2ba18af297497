package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A worker's start leaves the JVM's platform MBean server alone (it cost 75-160 ms of every
 * worker's start-up), yet the application can still use JMX, and XNIO's beans are there when JMX
 * was up already or they are asked for. Each case is a JVM of its own: {@link ServerProbe}.
 */
class XnioBeansTest {

    @Test
    void aWorkerStartCreatesNoPlatformMBeanServerAndTheApplicationStillGetsOne() throws Exception {
        ServerProbe.Output jmx = ServerProbe.run(List.of());
        assertEquals("200", jmx.get("served"));
        assertEquals("0", jmx.get("platform-servers-after-start"), "the worker's start built the platform MBean server");
        assertEquals("null", jmx.get("builder-property"), "the JDK's builder property was not put back");
        assertEquals("true", jmx.get("runtime-bean"), "the application's platform MBean server lacks the JDK's beans");
        assertEquals("0", jmx.get("xnio-beans"));
        assertEquals("0", jmx.get("thread-pool-beans"));
    }

    @Test
    void xnioRegistersItsBeansWhenJmxIsAlreadyUp() throws Exception {
        ServerProbe.Output jmx = ServerProbe.run(List.of(), "jmx-first");
        assertEquals("200", jmx.get("served"));
        assertTrue(Integer.parseInt(jmx.get("xnio-beans")) > 0, "no org.xnio beans: " + jmx);
        assertTrue(Integer.parseInt(jmx.get("thread-pool-beans")) > 0, "no jboss.threads beans: " + jmx);
    }

    @Test
    void xnioRegistersItsBeansWhenAskedTo() throws Exception {
        ServerProbe.Output jmx = ServerProbe.run(List.of("-D" + XnioBeans.WANTED_PROPERTY + "=true"));
        assertEquals("200", jmx.get("served"));
        assertEquals("1", jmx.get("platform-servers-after-start"));
        assertTrue(Integer.parseInt(jmx.get("xnio-beans")) > 0, "no org.xnio beans: " + jmx);
    }

    @Test
    void anotherThreadAskingWhileTheWorkerStartsGetsAnOrdinaryServer() throws Exception {
        ServerProbe.Output jmx = ServerProbe.run(List.of(), "concurrent");
        assertEquals("refused", jmx.get("starting-thread"));
        assertEquals("server", jmx.get("other-thread"));
        assertEquals("null", jmx.get("builder-property"));
    }
}
