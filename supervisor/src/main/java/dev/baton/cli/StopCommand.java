package dev.baton.cli;

import dev.baton.spawn.ProcessState;
import java.math.BigDecimal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stop", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Stops the master like QUIT (workers finish in-flight requests), or like TERM with --quick, and "
                + "waits until it has exited.")
final class StopCommand extends ControlVerb {
    @Option(names = "--quick", description = "Do not wait for in-flight requests.")
    boolean quick;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up waiting after this long. Default: 300.")
    BigDecimal timeout = BigDecimal.valueOf(300);

    @Override
    String request() {
        return quick ? "stop quick" : "stop";
    }

    @Override
    int after(int master) throws InterruptedException {
        if (Waiting.until(() -> ProcessState.of(master).ended(), timeout)) {
            System.out.println("master " + master + " stopped");
            return 0;
        }
        System.err.println("baton: master " + master + " still running after " + timeout + " s; see its log");
        return Main.FAILURE;
    }
}
