package dev.baton.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** What became of one request. Everything but {@link #OK} is a failure; none is ever retried. */
enum Outcome {
    /** A 2xx response, read in full. */
    OK,
    /** The connect was refused: nothing listened on the port. */
    REFUSED,
    /** The peer reset the connection (RST), or a write hit a connection it had closed. */
    RESET,
    /** The connection ended, or the response was malformed, before the response was complete. */
    READ_ERROR,
    /** No complete response within the request timeout. */
    TIMEOUT,
    /** A complete response with a status other than 2xx. */
    STATUS,
    /**
     * The connect failed for another reason (on loopback: the client ran out of ports, say).
     * Kept apart so a client-side limit is never mistaken for the server dropping a request.
     */
    CONNECT_ERROR;

    static Outcome ofStatus(int status) {
        return status >= 200 && status < 300 ? OK : STATUS;
    }

    /** Classifies a failure; {@code connecting} tells a failed connect from a failed exchange. */
    static Outcome of(IOException e, boolean connecting) {
        if (e instanceof SocketTimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof ConnectException) {
            return String.valueOf(e.getMessage()).contains("refused") ? REFUSED : CONNECT_ERROR;
        }
        String message = String.valueOf(e.getMessage());
        if (e instanceof SocketException && (message.contains("reset") || message.contains("Broken pipe"))) {
            return RESET;
        }
        return connecting ? CONNECT_ERROR : READ_ERROR;
    }
}
