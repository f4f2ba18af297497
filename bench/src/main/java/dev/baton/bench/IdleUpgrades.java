package dev.baton.bench;

import dev.baton.testing.Poll;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Baton's hot upgrade with no load at all: the fastest a deploy can be, from USR2 until the new
 * generation serves and until the old master is gone.
 */
final class IdleUpgrades {
    /**
     * Between upgrades: the generation that just took over is still compiling its start-up code
     * and the old one's JVMs are exiting; the next upgrade should not start on a busy machine.
     */
    private static final long SETTLE_MILLIS = 1_000;

    /** The upgrades' timings; {@code error} says why they stopped early, null if they did not. */
    record Result(List<RestartTiming> timings, String error) {
    }

    private IdleUpgrades() {
    }

    static Result run(Options options) throws IOException {
        System.err.println("baton-bench: Baton, idle upgrades ...");
        List<RestartTiming> timings = new ArrayList<>();
        String error = null;
        try (Sandbox sandbox = new Sandbox()) {
            try (BatonServer baton = new BatonServer(sandbox, options.home(), Bench.app(sandbox, options), 2)) {
                baton.start();
                for (int i = 1; i <= options.idleUpgrades(); i++) {
                    Poll.pause(SETTLE_MILLIS);
                    timings.add(baton.restart(Integer.toString(i + 1)));
                }
            } catch (Exception e) {
                error = e.getMessage();
                sandbox.keep();
            }
        }
        return new Result(timings, error);
    }
}
