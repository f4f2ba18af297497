/**
 * Jetty 12 under a Baton master: {@link dev.baton.jetty.BatonJetty#serve} takes the application's
 * {@link org.eclipse.jetty.server.Server}. Everything else is an implementation detail.
 */
package dev.baton.jetty;
