package dev.baton.cli;

import dev.baton.control.ControlClient;
import dev.baton.spawn.ProcessState;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "upgrade", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Asks the master named by the pid file (on its control socket, as USR2 would) to start a new "
                + "master and a new generation of workers on the same socket; the old generation drains once the new "
                + "one is ready. Refused (exit 1, with the reason) while an upgrade is in flight or a master stops.",
                "With --wait: exit 0 once the old master is gone (or, with --handoff manual, once the new generation is "
                        + "ready); exit 1 with the reason if the upgrade was rolled back."})
final class UpgradeCommand implements Callable<Integer> {
    @Mixin
    MasterTarget target;

    @Option(names = "--wait", description = "Wait for the outcome.")
    boolean waitForOutcome;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up waiting after this long. Default: 300.")
    BigDecimal timeout = BigDecimal.valueOf(300);

    @Override
    public Integer call() throws Exception {
        int old = target.livePid();
        long deadline = System.nanoTime() + timeout.movePointRight(9).longValue();
        long start = System.nanoTime();
        try (ControlClient control = ControlClient.connect(target.controlSocket())) {
            control.send(waitForOutcome ? "upgrade wait" : "upgrade");
            String started = control.readLine();
            if (started == null || !started.startsWith("ok started ")) {
                System.err.println("baton: upgrade " + (started == null ? "failed: master " + old
                        + " closed the connection; see its log" : started.replaceFirst(" ", ": ")));
                return Main.FAILURE;
            }
            if (!waitForOutcome) {
                System.out.println("upgrading: old=" + old + " " + started.substring("ok started ".length()));
                return 0;
            }
            String outcome = readBefore(control, deadline);
            if (outcome == null) {
                System.err.println("baton: master " + old + " exited before the upgrade finished; see its log");
                return Main.FAILURE;
            }
            String[] words = outcome.split(" ", 2);
            String detail = words.length > 1 ? words[1] : "";
            switch (words[0]) {
                case "upgraded" -> {
                    BigDecimal left = BigDecimal.valueOf(Math.max(0, deadline - System.nanoTime())).movePointLeft(9);
                    if (!Waiting.until(() -> ProcessState.of(old).ended(), left)) {
                        throw new TimeoutException();
                    }
                    System.out.println("upgraded: " + detail + " (old master gone after "
                            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms)");
                    return 0;
                }
                case "ready" -> {
                    System.out.println("new generation ready: " + detail + "; send QUIT to master " + old + " to finish");
                    return 0;
                }
                default -> {
                    System.err.println("baton: upgrade " + words[0] + ": " + detail);
                    return Main.FAILURE;
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot reach master " + old + " on its control socket: " + e.getMessage());
        } catch (TimeoutException e) {
            System.err.println("baton: no outcome within " + timeout + " s; the upgrade may still be running, see the master's log");
            return Main.FAILURE;
        }
    }

    private static String readBefore(ControlClient control, long deadline) throws Exception {
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "baton-upgrade-wait");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<String> line = reader.submit(control::readLine);
            return line.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } finally {
            reader.shutdownNow();
        }
    }
}
