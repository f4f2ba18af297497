package dev.baton.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Sets the number of workers (per listener); surplus workers drain gracefully, youngest numbers kept. "
                + "0 is WINCH: the master keeps the socket, connections wait in its backlog.")
final class ScaleCommand extends ControlVerb {
    @Parameters(paramLabel = "N", description = "Workers wanted, 0 to 256.")
    int workers;

    @Override
    String request() {
        return "scale " + workers;
    }
}
