package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The adoption shim reaches into XNIO internals; the drain tests exercise it, this guards it. */
class XnioServerAdoptionTest {

    @Test
    void xnioIsTheVersionTheShimWasWrittenFor() {
        assertEquals(XnioServerAdoption.PINNED_XNIO_VERSION, XnioServerAdoption.xnioNioVersion(),
                "xnio-nio moved: re-check NioTcpServer/QueuedNioTcpServer2/NioHandle.cancelKey with"
                        + " javap, then update PINNED_XNIO_VERSION");
    }
}
