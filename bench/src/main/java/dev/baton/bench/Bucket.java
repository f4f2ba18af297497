package dev.baton.bench;

/** Where a request is counted. */
enum Bucket {
    /** The uncounted warm-up at the start, if any: its requests count only if they fail. */
    WARMUP,
    /** After the warm-up, before the first restart: the steady phase (in an overhead round, the whole round). */
    STEADY,
    /** After the first restart began, outside every restart window. */
    BETWEEN,
    /** Overlapping a restart window (from the restart command until the old server is gone). */
    WINDOW,
    /** The long {@code /slow} requests kept in flight throughout, whatever their timing. */
    SLOW
}
