package dev.baton.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.testing.Poll;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hundreds of operator signals in a few seconds, under load: the master stays within its bounds. */
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
        int master = baton.pid();
        Path socket = Path.of(hello.pidFile + ".sock");

        AtomicInteger mostJvms = new AtomicInteger();
        AtomicInteger samples = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                mostJvms.accumulateAndGet(Processes.children(master).size(), Math::max);
                samples.incrementAndGet();
            }
        }, "jvm-sampler");
        sampler.start();
        Random random = new Random(7);
        int sent = 0;
        try (Load load = new Load(baton.port(), 1, 2, Duration.ofMinutes(3), 1_000_000)) {
            Poll.until("load flowing", Duration.ofSeconds(10), () -> load.ok() > 20);
            // The test keeps count of the workers its signals ask for, and never asks for more than
            // MOST_WORKERS, so the bound holds whatever order they arrive in.
            int wanted = 2;
            long stormStart = System.nanoTime();
            Process killer = new ProcessBuilder("bash").redirectErrorStream(true)
                    .redirectOutput(sandbox.dir().resolve("storm.out").toFile()).start();
            OutputStream shell = killer.getOutputStream();
            for (; sent < 300; sent++) {
                String signal = switch (random.nextInt(6)) {
                    case 0 -> wanted < MOST_WORKERS ? "TTIN" : "TTOU";
                    case 1 -> "TTOU";
                    case 2 -> random.nextInt(4) == 0 ? "WINCH" : "TTIN";
                    case 3 -> "USR1";
                    default -> "HUP";
                };
                if (signal.equals("TTIN") && wanted >= MOST_WORKERS) {
                    signal = "HUP";
                }
                wanted = switch (signal) {
                    case "TTIN" -> wanted + 1;
                    case "TTOU" -> Math.max(0, wanted - 1);
                    case "WINCH" -> 0;
                    case "HUP" -> 2; // the config's count again
                    default -> wanted;
                };
                // The shell's own kill: a process per signal would spread the storm over half a minute.
                shell.write(("kill -" + signal + " " + master + "\n").getBytes(StandardCharsets.US_ASCII));
                shell.flush();
                // Pacing, so that two signals of a kind are not merged by the kernel while pending.
                Thread.sleep(10);
            }
            shell.close();
            assertEquals(0, killer.waitFor(), "every signal sent");
            long stormMillis = (System.nanoTime() - stormStart) / 1_000_000;
            Sandbox.Result scale = sandbox.run(Duration.ofSeconds(30), List.of("scale", "2", "--pid", hello.pidFile.toString()));
            assertEquals(0, scale.exitCode(), scale.output());
            Poll.until("2 workers ready and nothing else running", Duration.ofSeconds(90),
                    () -> Control.ready(Control.request(socket, "status")) == 2 && Processes.children(master).size() == 2);
            long before = load.ok();
            Poll.until("serving after the storm", Duration.ofSeconds(10), () -> load.ok() > before + 20);
            load.close();
            sampling.set(false);
            sampler.join();
            System.out.println("storm: " + sent + " signals in " + stormMillis + " ms; most worker JVMs alive: "
                    + mostJvms.get() + " (" + samples.get() + " samples); requests: " + load.ok());
            assertTrue(mostJvms.get() <= MOST_WORKERS + ROLLING_BATCH, "at most " + (MOST_WORKERS + ROLLING_BATCH)
                    + " worker JVMs at any moment; saw " + mostJvms.get());
            assertEquals(List.of(), load.failures());
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertTrue(baton.alive());
    }
}
