package dev.baton.bench;

import dev.baton.testing.Poll;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Baton's hot upgrade with no load at all: the fastest a deploy can be, from USR2 until the new
 * generation serves and until the old master is gone. Run once per worker JVM (the bench's own,
 * and {@code --java}'s) in each {@link Variant}, each beside cold starts of the same JVM measured in
 * the same run.
 */
final class IdleUpgrades {
    /**
     * Between upgrades: the generation that just took over is still compiling its start-up code
     * and the old one's JVMs are exiting; the next upgrade should not start on a busy machine.
     */
    private static final long SETTLE_MILLIS = 1_000;

    /**
     * The upgrades' timings on one JVM in one variant, and that JVM's cold starts; {@code error}
     * says why they stopped early, null if they did not.
     */
    record Result(String java, Variant variant, List<RestartTiming> timings, List<Long> coldMillis, String error) {
        /** The JDK's directory name, e.g. temurin-25-jdk-amd64. */
        String jdk() {
            Path home = Path.of(java).getParent().getParent();
            return home.getFileName().toString();
        }
    }

    /**
     * Baton's speed-ups on; on, with every upgrade shipping a new jar, as a deploy of a new build
     * does (the JVM cache has no archive for it, so the workers start without one); or off.
     */
    enum Variant {
        ON("on", true, false), NEW_JAR("on, new jar", true, true), OFF("off", false, false);

        final String label;
        final boolean speedUps;
        final boolean newJar;

        Variant(String label, boolean speedUps, boolean newJar) {
            this.label = label;
            this.speedUps = speedUps;
            this.newJar = newJar;
        }
    }

    private IdleUpgrades() {
    }

    static List<Result> run(Options options) throws IOException {
        List<Result> results = new ArrayList<>();
        List<String> javas = new ArrayList<>();
        javas.add(null);
        if (options.java() != null) {
            javas.add(options.java().toString());
        }
        for (String java : javas) {
            for (Variant variant : Variant.values()) {
                results.add(run(options, java, variant));
            }
        }
        return results;
    }

    /**
     * Two untimed upgrades first: with the speed-ups on, a build's first master trains nothing, a
     * worker of generation 2 trains, and generation 3 starts while that trainer still serves, so
     * only generation 4 on has an archive; in the other variants, the same for fairness.
     * {@code upgrade --wait} returns once the old master is gone, its archive written. Upgrades
     * and cold starts alike wait for the standby master to park, as a deploy minutes after
     * the last finds it, so that its start weighs on neither.
     */
    private static Result run(Options options, String javaOption, Variant variant) throws IOException {
        String error = null;
        List<RestartTiming> timings = new ArrayList<>();
        List<Long> cold = new ArrayList<>();
        try (Sandbox sandbox = new Sandbox()) {
            String java = javaOption != null ? javaOption : sandbox.java();
            System.err.printf("baton-bench: Baton, idle upgrades, %s, speed-ups %s ...%n", java, variant.label);
            List<String> app = options.app().command(java, options.home());
            try (BatonServer baton = new BatonServer(sandbox, options.home(), app, 2, variant.speedUps, variant.newJar)) {
                baton.start();
                baton.settle();
                Poll.pause(SETTLE_MILLIS);
                for (String untimed : List.of("2", "3")) {
                    baton.restart(untimed);
                    baton.settle();
                    Poll.pause(SETTLE_MILLIS);
                }
                // A cold start after each upgrade, so that a busy neighbour weighs on both alike.
                for (int i = 1; i <= options.idleUpgrades(); i++) {
                    if (i > 1) {
                        Poll.pause(SETTLE_MILLIS);
                    }
                    timings.add(baton.restart(Integer.toString(i + 3)));
                    baton.settle();
                    Poll.pause(SETTLE_MILLIS);
                    cold.add(ColdStart.run(sandbox, app));
                }
            } catch (Exception e) {
                error = e.getMessage();
                sandbox.keep();
            }
            return new Result(java, variant, timings, cold, error);
        }
    }
}
