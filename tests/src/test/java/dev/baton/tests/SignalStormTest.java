package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Poll;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hundreds of operator signals in a few seconds, under load, upgrades among them: the masters
 * stay within their bounds, and the service converges.
 */
class SignalStormTest {
    private static final int MOST_WORKERS = 3;
    private static final int ROLLING_BATCH = 1;

    @RegisterExtension
    final Sandbox sandbox = new Sandbox();

    @Test
    void aSignalStormUnderLoadNeverExceedsTheWorkerBoundAndConverges() throws Exception {
        HelloConfig hello = new HelloConfig(sandbox);
        hello.write("1", 2, "rolling-batch = " + ROLLING_BATCH);
        Sandbox.Run baton = hello.start(sandbox).awaitReady();
        Path socket = Path.of(hello.pidFile + ".sock");

        // Every master alive and its workers, sampled continuously: per generation, and generations.
        AtomicInteger mostWorkers = new AtomicInteger();
        AtomicInteger mostMasters = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        AtomicReference<String> mastersPeak = new AtomicReference<>("");
        AtomicReference<String> workersPeak = new AtomicReference<>("");
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                List<Integer> masters = sandbox.survivors().stream().filter(Processes::isMaster).toList();
                if (masters.size() > mostMasters.getAndAccumulate(masters.size(), Math::max)) {
                    mastersPeak.set(masters.toString());
                }
                for (int master : masters) {
                    List<Integer> workers = Processes.workers(master);
                    if (workers.size() > mostWorkers.getAndAccumulate(workers.size(), Math::max)) {
                        workersPeak.set("master " + master + ": " + workers);
                    }
                }
                samples.incrementAndGet();
            }
        }, "jvm-sampler");
        sampler.start();
        Random random = new Random(7);
        int sent = 0;
        int upgrades = 0;
        try (Load load = new Load(baton.port(), 1, 2, Duration.ofMinutes(3), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 20);
            // Each signal goes to the master the pid file names at that moment. The test keeps count
            // of the workers it asks each master for (a new one starts with the config's 2) and
            // never asks one for more than MOST_WORKERS, so the bound holds in any order of arrival.
            Map<Integer, Integer> wanted = new HashMap<>();
            long stormStart = System.nanoTime();
            Process killer = new ProcessBuilder("bash").redirectErrorStream(true)
                    .redirectOutput(sandbox.dir().resolve("storm.out").toFile()).start();
            OutputStream shell = killer.getOutputStream();
            for (; sent < 300; sent++) {
                int master = pidIn(hello.pidFile);
                int count = wanted.computeIfAbsent(master, m -> 2);
                String signal = switch (random.nextInt(7)) {
                    case 0 -> count < MOST_WORKERS ? "TTIN" : "TTOU";
                    case 1 -> "TTOU";
                    case 2 -> random.nextInt(4) == 0 ? "WINCH" : "TTIN";
                    case 3 -> "USR1";
                    case 4 -> "USR2";
                    default -> "HUP";
                };
                if (signal.equals("TTIN") && count >= MOST_WORKERS) {
                    signal = "HUP";
                }
                wanted.put(master, switch (signal) {
                    case "TTIN" -> count + 1;
                    case "TTOU" -> Math.max(0, count - 1);
                    case "WINCH" -> 0;
                    case "HUP" -> 2; // the config's count again
                    default -> count;
                });
                upgrades += signal.equals("USR2") ? 1 : 0;
                // The shell's own kill: a process per signal would spread the storm over half a
                // minute. A master that has just handed off and exited is not an error.
                shell.write(("kill -" + signal + " " + master + " 2>/dev/null\n").getBytes(StandardCharsets.US_ASCII));
                shell.flush();
                // Pacing, so that two signals of a kind are not merged by the kernel while pending.
                Thread.sleep(10);
            }
            shell.close();
            killer.waitFor();
            long stormMillis = (System.nanoTime() - stormStart) / 1_000_000;
            // The last upgrade may still be in flight: refused until it ends, so retried.
            Poll.until("scaled to 2 once no upgrade is in flight", Duration.ofSeconds(90), () -> scale(hello, 2));
            // A master's standby is its child, the next master parked: not a second one serving.
            Poll.until("one master, 2 workers ready and nothing else running", Duration.ofSeconds(90), () -> {
                int master = pidIn(hello.pidFile);
                return Control.ready(Control.request(socket, "status")) == 2 && Processes.workers(master).size() == 2
                        && sandbox.survivors().stream().filter(p -> Processes.isMaster(p) && Processes.parent(p) != master)
                                .toList().equals(List.of(master));
            });
            long before = load.ok();
            Poll.until("serving after the storm", Duration.ofSeconds(10), () -> load.ok() > before + 20);
            load.close();
            sampling.set(false);
            sampler.join();
            long generations = baton.count("master gen \\d+: started");
            System.out.println("storm: " + sent + " signals (" + upgrades + " USR2) in " + stormMillis + " ms; "
                    + generations + " generations; most worker JVMs of one master: " + mostWorkers.get()
                    + " (" + workersPeak.get() + "), most masters: " + mostMasters.get() + " (" + mastersPeak.get() + "; "
                    + samples.get() + " samples); requests: " + load.ok());
            assertTrue(generations >= 2, "an upgrade went through during the storm:\n" + baton.log());
            assertTrue(mostWorkers.get() <= MOST_WORKERS + ROLLING_BATCH, "at most " + (MOST_WORKERS + ROLLING_BATCH)
                    + " worker JVMs per master at any moment; saw " + workersPeak.get() + "\n" + baton.log());
            assertTrue(mostMasters.get() <= 2, "at most two master JVMs (a standby counts) at any moment; saw " + mastersPeak.get() + "\n"
                    + baton.log());
            assertEquals(List.of(), load.failures());
        } finally {
            sampling.set(false);
            sampler.join();
        }
    }

    /** The master an operator would signal: the pid file's, or while an upgrade moved it aside, the old one's. */
    private static int pidIn(Path pidFile) {
        return Poll.until("a pid file", Duration.ofSeconds(10), () -> {
            for (Path file : List.of(pidFile, Path.of(pidFile + ".oldbin"))) {
                try {
                    return Integer.parseInt(Files.readString(file).strip());
                } catch (IOException | NumberFormatException e) {
                    // Moved aside or replaced just now: the other name, or the next look.
                }
            }
            return null;
        });
    }

    private boolean scale(HelloConfig hello, int workers) {
        try {
            return sandbox.run(Duration.ofSeconds(30), List.of("scale", Integer.toString(workers), "--pid",
                    hello.pidFile.toString())).exitCode() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
