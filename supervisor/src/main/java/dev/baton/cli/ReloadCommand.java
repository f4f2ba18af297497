package dev.baton.cli;

import picocli.CommandLine.Command;

@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Like HUP: the master re-reads its config file and replaces its workers a batch at a time "
                + "(--rolling-batch), each replacement ready before the worker it replaces drains.",
                "A config file that does not parse changes nothing; the error is printed."})
final class ReloadCommand extends ControlVerb {
    @Override
    String request() {
        return "reload";
    }
}
