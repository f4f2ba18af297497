package dev.baton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help renders as written: picocli warns on stderr about a lone '%' in a description. */
class HelpTest {
    @Test
    void everyCommandsHelpRendersWithoutAWarning() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            CommandLine baton = Main.commandLine(null);
            assertTrue(baton.getUsageMessage().contains("Usage: baton"));
            for (Map.Entry<String, CommandLine> command : baton.getSubcommands().entrySet()) {
                String usage = command.getValue().getUsageMessage();
                assertTrue(usage.contains("Usage: baton " + command.getKey()), usage);
                assertFalse(usage.contains("%n"), command.getKey() + " help:\n" + usage);
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }
}
