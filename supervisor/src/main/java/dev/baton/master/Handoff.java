package dev.baton.master;

/** When a new generation takes over from the old one. */
public enum Handoff {
    /** The new master sends QUIT to the old one as soon as every new worker is ready. */
    AUTO,
    /** Unicorn's way: both generations serve until the operator sends QUIT to the old master. */
    MANUAL;

    /** As in options and on an upgrade's report pipe. */
    String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
