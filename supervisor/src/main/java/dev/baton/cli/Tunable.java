package dev.baton.cli;

import dev.baton.master.Settings;
import dev.baton.protocol.WorkerEnvironment;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Every number {@code baton start} takes, defined once: its config key, default and bounds.
 * Durations are seconds with at most millisecond precision. The bounds a worker also checks come
 * from {@link WorkerEnvironment}, so master and worker cannot disagree about a value.
 */
enum Tunable {
    WORKERS("workers", false, 2, 1, Settings.MAX_WORKERS),
    GRACEFUL_TIMEOUT("graceful-timeout", true, WorkerEnvironment.DEFAULT_GRACEFUL_TIMEOUT.toMillis(), 1,
            WorkerEnvironment.MAX_GRACEFUL_TIMEOUT.toMillis()),
    BOOT_TIMEOUT("boot-timeout", true, 60_000, 1, Tunable.MAX_DURATION_MS),
    TIMEOUT("timeout", true, 60_000, 1, Tunable.MAX_DURATION_MS),
    WARMUP_REQUESTS("warmup-requests", false, 100, 0, WorkerEnvironment.MAX_WARMUP_REQUESTS),
    MAX_REQUESTS("max-requests", false, 0, 0, 1_000_000_000_000L),
    MAX_RSS("max-rss", false, 0, 0, 1L << 20),
    ROLLING_BATCH("rolling-batch", false, 1, 1, Settings.MAX_WORKERS),
    HEALTH_DELAY("health-delay", true, 0, 0, Tunable.MAX_DURATION_MS);

    /** A day: longer than any deadline worth waiting for, far from overflowing a nanosecond clock. */
    static final long MAX_DURATION_MS = 86_400_000L;

    final String key;
    private final boolean seconds;
    private final long fallback;
    private final long min;
    private final long max;

    Tunable(String key, boolean seconds, long fallback, long min, long max) {
        this.key = key;
        this.seconds = seconds;
        this.fallback = fallback;
        this.min = min;
        this.max = max;
    }

    /** The value given on the command line (a number or text), else in the config file, else the default. */
    long value(Object given, ConfigFile file) {
        String origin = "--" + key;
        String text;
        if (given != null) {
            text = given.toString();
        } else if (file != null && file.get(key) != null) {
            text = file.get(key);
            origin = file.origin(key);
        } else {
            return fallback;
        }
        return seconds ? millis(origin, text) : count(origin, text);
    }

    Duration duration(Object given, ConfigFile file) {
        return Duration.ofMillis(value(given, file));
    }

    int intValue(Object given, ConfigFile file) {
        return Math.toIntExact(value(given, file));
    }

    private long count(String origin, String text) {
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new UserError(origin + ": expected a whole number, got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new UserError(origin + " must be from " + min + " to " + max + ", got " + value);
        }
        return value;
    }

    private long millis(String origin, String text) {
        String expected = origin + ": expected a " + (min > 0 ? "positive " : "") + "number of seconds up to "
                + max / 1000 + ", in whole milliseconds";
        BigDecimal millis;
        try {
            millis = new BigDecimal(text.strip()).movePointRight(3);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UserError(expected + ", got '" + text + "'");
        }
        if (millis.compareTo(BigDecimal.valueOf(min)) < 0 || millis.compareTo(BigDecimal.valueOf(max)) > 0
                || millis.stripTrailingZeros().scale() > 0) {
            throw new UserError(expected + ", got '" + text + "'");
        }
        return millis.longValueExact();
    }
}
