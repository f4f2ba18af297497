package dev.baton.cli;

import dev.baton.master.StartupSteps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code baton}: the command line. Every user mistake ends as one line on stderr and a non-zero exit. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Zero-downtime restarts for JVM web servers, in the manner of Unicorn.")
public final class Main {
    private static final Map<String, Class<?>> COMMANDS = commands(StartCommand.class, UpgradeCommand.class,
            StatusCommand.class, ReloadCommand.class, ScaleCommand.class, StopCommand.class);
    static final int USAGE = 2;
    static final int FAILURE = 1;

    public static void main(String[] args) {
        StartupSteps.jvmStarted();
        CommandLine commandLine = commandLine(args.length > 0 ? args[0] : null);
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

    /**
     * The command line for {@code name}: picocli reads every option of every subcommand it is
     * given, by reflection, so a master (on every deploy) gets only {@code start}'s. Anything else,
     * {@code --help} included, gets them all.
     */
    static CommandLine commandLine(String name) {
        CommandLine commandLine = new CommandLine(new Main());
        Class<?> only = COMMANDS.get(name);
        for (Class<?> command : only != null ? List.<Class<?>>of(only) : COMMANDS.values()) {
            commandLine.addSubcommand(command);
        }
        return commandLine;
    }

    private static Map<String, Class<?>> commands(Class<?>... commands) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> command : commands) {
            byName.put(command.getAnnotation(Command.class).name(), command);
        }
        return byName;
    }

    private static String uncapitalize(String message) {
        return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
}
