package dev.baton.posix;

/**
 * Chooses the native binding. This is the JDK 17-21 version: jnr-ffi. A multi-release jar
 * carries another version of this class under META-INF/versions/22, which chooses the JDK's
 * Foreign Function & Memory API; only a JVM of 22 or later reads it.
 */
final class Binding {
    private Binding() {
    }

    static NativeCalls load() {
        return new JnrCalls();
    }
}
