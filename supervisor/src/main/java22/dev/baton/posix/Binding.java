package dev.baton.posix;

/**
 * Chooses the native binding on JDK 22 and later, which read this version of the class from
 * META-INF/versions/22 of the multi-release jar: the JDK's Foreign Function & Memory API.
 * {@code -Dbaton.native=jnr} keeps jnr-ffi instead, to compare the two or to step around a
 * problem in one.
 */
final class Binding {
    private Binding() {
    }

    static NativeCalls load() {
        return "jnr".equals(System.getProperty("baton.native")) ? new JnrCalls() : new FfmCalls();
    }
}
