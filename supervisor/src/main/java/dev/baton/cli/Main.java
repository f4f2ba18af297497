package dev.baton.cli;

import dev.baton.master.StartupSteps;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code baton}: the command line. Every user mistake ends as one line on stderr and a non-zero exit. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Zero-downtime restarts for JVM web servers, in the manner of Unicorn.",
        subcommands = {StartCommand.class, UpgradeCommand.class, StatusCommand.class, ReloadCommand.class,
                ScaleCommand.class, StopCommand.class})
public final class Main {
    static final int USAGE = 2;
    static final int FAILURE = 1;

    public static void main(String[] args) {
        StartupSteps.jvmStarted();
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            String help = e.getCommandLine().getCommandName().equals("baton")
                    ? "baton --help" : "baton " + e.getCommandLine().getCommandName() + " --help";
            System.err.println("baton: " + uncapitalize(e.getMessage()) + " (see '" + help + "')");
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserError || e instanceof IllegalArgumentException) {
                System.err.println("baton: " + e.getMessage());
                return e instanceof UserError ? USAGE : FAILURE;
            }
            throw e;
        });
        System.exit(commandLine.execute(args));
    }

    private static String uncapitalize(String message) {
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
