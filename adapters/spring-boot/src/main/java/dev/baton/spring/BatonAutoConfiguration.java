package dev.baton.spring;

import dev.baton.protocol.WorkerEnvironment;
import dev.baton.worker.runtime.Application;
import dev.baton.worker.runtime.WorkerRuntime;
import org.apache.catalina.startup.Tomcat;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Under a Baton master, embedded Tomcat serves on the master's socket and the application runs as
 * a Baton worker: ready once the context is ready (and its readiness state, which Actuator reports,
 * says it accepts traffic), heartbeats while Tomcat's request threads make progress, drains on
 * {@code quit} without refusing, resetting or dropping a request. Without a master nothing here
 * applies: the application is a plain Spring Boot application.
 */
@AutoConfiguration
@ConditionalOnClass({Tomcat.class, TomcatServletWebServerFactory.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(BatonAutoConfiguration.UnderBatonMaster.class)
public class BatonAutoConfiguration {

    @Bean
    BatonWorker batonWorker(ApplicationContext context, ObjectProvider<ApplicationAvailability> availability) {
        return new BatonWorker(WorkerRuntime.current(), context, availability);
    }

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> batonTomcatCustomizer(BatonWorker worker) {
        return new TomcatOnInheritedSocket(worker);
    }

    /** Runs last, so that no other customizer replaces the protocol after it. */
    static final class TomcatOnInheritedSocket
            implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        private final BatonWorker worker;

        TomcatOnInheritedSocket(BatonWorker worker) {
            this.worker = worker;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.setProtocol(BatonTomcatProtocol.class.getName());
            factory.addEngineValves(worker.tomcat.valve());
            factory.addConnectorCustomizers(worker::start);
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /** The application's side of the runtime: readiness from Spring, unhealthy to Spring. */
    static final class BatonWorker implements Application, ApplicationListener<ApplicationReadyEvent> {

        private final WorkerRuntime runtime;
        private final ApplicationContext context;
        private final ObjectProvider<ApplicationAvailability> availability;
        final TomcatWorker tomcat;
        private volatile boolean contextReady;

        BatonWorker(WorkerRuntime runtime, ApplicationContext context,
                ObjectProvider<ApplicationAvailability> availability) {
            this.runtime = runtime;
            this.context = context;
            this.availability = availability;
            this.tomcat = new TomcatWorker(runtime);
        }

        void start(org.apache.catalina.connector.Connector connector) {
            tomcat.adopt(connector);
            runtime.start(tomcat, this);
        }

        @Override
        public void onApplicationEvent(ApplicationReadyEvent event) {
            contextReady = true;
        }

        @Override
        public boolean ready() {
            if (!contextReady || !tomcat.running()) {
                return false;
            }
            ApplicationAvailability state = availability.getIfAvailable();
            return state == null || state.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        }

        @Override
        public void onUnhealthy() {
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        }
    }

    /**
     * A Baton master started this JVM. Without one, Baton reads nothing else, so a stray {@code
     * BATON_*} variable cannot break a plain application; under one, a malformed variable ends
     * the JVM here, with one line for the master's log.
     */
    static final class UnderBatonMaster implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return System.getenv(WorkerEnvironment.MASTER_PID) != null && WorkerRuntime.current().supervised();
        }
    }
}
