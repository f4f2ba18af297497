package dev.baton.worker;

import java.io.IOException;
import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerFactory;

/**
 * Keeps XNIO from creating the JVM's platform MBean server just to register its own beans.
 *
 * <p>Why: starting an XNIO worker registers three JMX beans (XNIO's provider and worker, and the
 * worker's jboss-threads pool), each through {@code ManagementFactory.getPlatformMBeanServer()},
 * which builds the whole platform server (every platform MXBean, introspected) the first time it
 * is asked. That was 75-86 ms of a worker's start-up on JDK 17 and 150-160 ms on JDK 25, in every
 * worker of every generation, for beans that most deployments never read. Both libraries swallow
 * any failure to register (they catch {@code Throwable}). So while this thread starts the worker,
 * the JDK's {@link MBeanServerBuilder} is one that refuses this thread alone: nothing is
 * registered, and the platform server is left uncreated for the application, which gets a normal
 * one whenever it asks. Another thread asking in that moment gets a normal one too, through this
 * builder, if its context class loader sees this class (an application on one class path, as Baton
 * runs them); the JDK loads the builder through the asking thread's. XNIO keeps its server in a
 * holder initialised once, so it registers nothing later either.
 *
 * <p>Left alone, so the beans are registered as usual: when the platform server already exists
 * (JMX remote on the command line, or the application used JMX first: the cost is paid), when the
 * application chose its own builder ({@value #BUILDER_PROPERTY}), or when it sets
 * {@value #WANTED_PROPERTY} to {@code true}.
 */
final class XnioBeans {

    /** The JDK's choice of {@link MBeanServerBuilder}, borrowed while the worker starts. */
    static final String BUILDER_PROPERTY = "javax.management.builder.initial";

    /** Set to {@code true} to have XNIO's beans (org.xnio:*, jboss.threads:*) whatever the cost. */
    static final String WANTED_PROPERTY = "baton.xnio.mbeans";

    private static volatile Thread refused;

    private XnioBeans() {
    }

    /** What starts XNIO. */
    interface Start<T> {
        T run() throws IOException;
    }

    /** Runs {@code start} on this thread without the beans it would register, unless they are wanted. */
    static synchronized <T> T leftOut(Start<T> start) throws IOException {
        if (!worthLeavingOut()) {
            return start.run();
        }
        System.setProperty(BUILDER_PROPERTY, RefusingBuilder.class.getName());
        refused = Thread.currentThread();
        try {
            return start.run();
        } finally {
            refused = null;
            System.clearProperty(BUILDER_PROPERTY);
        }
    }

    private static boolean worthLeavingOut() {
        try {
            return !Boolean.getBoolean(WANTED_PROPERTY) && System.getProperty(BUILDER_PROPERTY) == null
                    && MBeanServerFactory.findMBeanServer(null).isEmpty();
        } catch (LinkageError | RuntimeException noJmxHere) {
            return false; // no java.management in this runtime: nothing would be registered anyway
        }
    }

    /** The JDK's builder, except for the thread starting XNIO. */
    public static final class RefusingBuilder extends MBeanServerBuilder {
        @Override
        public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
            if (Thread.currentThread() == refused) {
                throw new UnsupportedOperationException("Baton leaves XNIO's MBeans out (see " + WANTED_PROPERTY + ")");
            }
            return super.newMBeanServer(defaultDomain, outer, delegate);
        }
    }
}
