/**
 * Spring Boot under Baton: adding {@code dev.baton:baton-spring-boot} to a Spring Boot application
 * on embedded Tomcat is all it takes. See {@link dev.baton.spring.BatonAutoConfiguration}.
 */
package dev.baton.spring;
