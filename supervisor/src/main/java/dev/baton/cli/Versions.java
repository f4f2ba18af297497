package dev.baton.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code baton --version}: Baton's version, the JDK it runs on, and the libraries it was built with. */
final class Versions implements IVersionProvider {
    @Override
    public String[] getVersion() {
        // Written by the build (resource filtering), so a release cannot print another release's numbers.
        Properties built = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("baton.jar has no versions.properties: a broken build");
            }
            built.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String[] {
            "baton " + built.getProperty("baton"),
            "JDK " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ", "
                    + System.getProperty("java.home") + ")",
            "master: " + built.getProperty("master"),
            "worker libraries: " + built.getProperty("workers"),
        };
    }
}
