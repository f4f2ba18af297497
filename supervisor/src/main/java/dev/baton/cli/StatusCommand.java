package dev.baton.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows the master, its generation and its workers: pid, age, state, requests served, resident memory.")
final class StatusCommand extends ControlVerb {
    @Option(names = "--json", description = "One JSON object, for programs.")
    boolean json;

    @Override
    String request() {
        return json ? "status" : "status text";
    }
}
