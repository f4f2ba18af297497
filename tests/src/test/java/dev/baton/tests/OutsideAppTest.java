package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An application outside this repository (examples/starter, copied elsewhere) builds with Maven
 * against baton-worker-api by its coordinates, installed as `mvn install` installs them (the
 * flattened poms, the jar, its sources and javadoc) into a private local repository, then runs
 * under bin/baton.
 */
// Once, on the default JDK (.ci/run): a Maven build of an outside app against the installed worker API.
@Tag(Sandbox.ONCE)
class OutsideAppTest {
    private static final Path STARTER = Sandbox.HOME.resolve("examples/starter");
    private static final Duration BUILD = Duration.ofMinutes(4);

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    private Path repository;
    private Path settings;

    @Test
    void theStarterBuildsAgainstTheInstalledWorkerApiAndServesUnderBaton() throws Exception {
        repository = sandbox.dir().resolve("m2");
        settings = sandbox.dir().resolve("settings.xml");
        // Plugins and third-party jars are copied from the build's own repository, not downloaded.
        Files.writeString(settings, """
                <settings>
                  <profiles><profile><id>cache</id>
                    <repositories><repository><id>cache</id><url>file://%1$s</url>
                      <releases><checksumPolicy>ignore</checksumPolicy></releases>
                      <snapshots><enabled>false</enabled></snapshots></repository></repositories>
                    <pluginRepositories><pluginRepository><id>cache</id><url>file://%1$s</url>
                      <releases><checksumPolicy>ignore</checksumPolicy></releases>
                      <snapshots><enabled>false</enabled></snapshots></pluginRepository></pluginRepositories>
                  </profile></profiles>
                  <activeProfiles><activeProfile>cache</activeProfile></activeProfiles>
                </settings>
                """.formatted(System.getProperty("baton.m2")));

        String version = DistTest.VERSION;
        maven(sandbox.dir(), "org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file",
                "-Dfile=" + Sandbox.HOME.resolve(".flattened-pom.xml"), "-DpomFile=" + Sandbox.HOME.resolve(".flattened-pom.xml"));
        // worker-api and what it depends on of Baton's own, as `mvn install` installs them.
        for (String module : List.of("protocol", "worker-runtime", "worker-api")) {
            Path target = Sandbox.HOME.resolve(module + "/target");
            String artifact = "baton-" + module;
            maven(sandbox.dir(), "org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file",
                    "-Dfile=" + target.resolve(artifact + "-" + version + ".jar"),
                    "-DpomFile=" + Sandbox.HOME.resolve(module + "/.flattened-pom.xml"),
                    "-Dsources=" + target.resolve(artifact + "-" + version + "-sources.jar"),
                    "-Djavadoc=" + target.resolve(artifact + "-" + version + "-javadoc.jar"));
        }
        String installedPom = Files.readString(repository.resolve("dev/baton/baton-worker-api/" + version
                + "/baton-worker-api-" + version + ".pom"));
        assertTrue(!installedPom.contains("${"), "the installed pom names its versions:\n" + installedPom);

        Path app = sandbox.dir().resolve("greeter");
        copy(STARTER, app);
        maven(app, "package", "-Dbaton.version=" + version);
        Path jar = app.resolve("target/greeter.jar");
        assertTrue(Files.isRegularFile(jar), "the starter's executable jar");

        Sandbox.Run baton = sandbox.start(List.of("start", "--listen", "127.0.0.1:0", "--workers", "1", "--",
                "java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString())).awaitReady();
        Http.Response response = Http.get(baton.port(), "/");
        assertEquals(200, response.status());
        assertEquals("hello from worker 0 of generation 1", response.body().trim());
        baton.signal("QUIT");
        assertEquals(0, baton.awaitExit(Duration.ofSeconds(30)), baton.log());
    }

    private void maven(Path directory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repository));
        command.addAll(List.of(args));
        Sandbox.Run run = sandbox.launch(Map.of(), withDirectory(directory, command));
        assertEquals(0, run.awaitExit(BUILD), String.join(" ", command) + ":\n" + run.log());
    }

    private static List<String> withDirectory(Path directory, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("bash", "-c", "cd \"$0\" && exec \"$@\"", directory.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.filter(f -> !f.toString().contains("/target")).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
