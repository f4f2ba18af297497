package dev.baton.spring;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's HTTP/1.1 NIO protocol on a {@link BatonNioEndpoint}. Public with a no-argument
 * constructor because Tomcat creates a connector's protocol from its class name.
 */
public final class BatonTomcatProtocol extends Http11NioProtocol {

    public BatonTomcatProtocol() {
        super(new BatonNioEndpoint());
    }

    BatonNioEndpoint batonEndpoint() {
        return (BatonNioEndpoint) getEndpoint();
    }
}
