package dev.baton.bench;

/** How the load generator's clients use connections. */
enum Mode {
    /** A fixed pool of connections, each reused until the server says {@code Connection: close}. */
    KEEP_ALIVE("keep-alive"),
    /** A new TCP connection for every request. */
    NEW_CONNECTION("new-conn");

    final String label;

    Mode(String label) {
        this.label = label;
    }

    static Mode of(String label) {
        for (Mode mode : values()) {
            if (mode.label.equals(label)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + label + "'");
    }
}
