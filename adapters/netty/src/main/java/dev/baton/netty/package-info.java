/**
 * Netty 4.2 under a Baton master: {@link dev.baton.netty.BatonNetty#serve} takes the application's
 * {@link io.netty.bootstrap.ServerBootstrap}. Everything else is an implementation detail.
 */
package dev.baton.netty;
