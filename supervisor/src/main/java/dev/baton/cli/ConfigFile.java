package dev.baton.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A config file: {@code key = value} lines with the start options' names, {@code #} comments, and
 * {@code command = ...} for the worker command (quoted like a shell's words). {@code listen} may
 * repeat; any other key may not. Errors name the file, the line and the key.
 */
final class ConfigFile {
    static final Set<String> KEYS = Set.of("listen", "workers", "pid", "graceful-timeout", "boot-timeout",
            "handoff", "standby", "warmup-path", "warmup-requests", "timeout", "max-requests", "max-rss", "rolling-batch",
            "health-path", "health-delay", "log", "jvm-cache", "command");

    private final Path path;
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    private ConfigFile(Path path) {
        this.path = path;
    }

    static ConfigFile read(Path path) {
        List<String> text;
        try {
            text = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getMessage();
            throw new UserError("cannot read config " + path + ": " + why);
        }
        ConfigFile config = new ConfigFile(path);
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new UserError("config " + path + " line " + (i + 1) + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (!KEYS.contains(key)) {
                throw new UserError("config " + path + " line " + (i + 1) + ": unknown key '" + key + "' (known: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
            if (config.values.containsKey(key) && !key.equals("listen")) {
                throw new UserError("config " + path + " line " + (i + 1) + ": key '" + key + "' given twice");
            }
            config.values.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            config.lines.putIfAbsent(key, i + 1);
        }
        return config;
    }

    String get(String key) {
        List<String> all = values.get(key);
        return all == null ? null : all.get(0);
    }

    List<String> all(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** Where a key was set, for error messages that point the user at the right line. */
    String origin(String key) {
        return "config " + path + " line " + lines.get(key) + ", key '" + key + "'";
    }
}
