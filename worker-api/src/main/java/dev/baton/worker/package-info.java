/**
 * What an application links against to run under a Baton master.
 *
 * <p>An application hands its Undertow {@link io.undertow.server.HttpHandler} to
 * {@link dev.baton.worker.Baton#serve}. Under a master the worker serves on the socket the master
 * passed it and leaves when told to, without dropping a request; on its own it binds a port and
 * drains when the JVM shuts down. Everything except {@code Baton} and {@code ServeOptions} is an
 * implementation detail.
 */
package dev.baton.worker;
