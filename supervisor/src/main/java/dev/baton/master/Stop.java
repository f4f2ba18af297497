package dev.baton.master;

import java.util.Locale;
import java.util.Optional;

/** How a master is asked to stop: QUIT or {@code stop} drain gracefully; TERM, INT or {@code stop quick} end now. */
enum Stop {
    GRACEFUL, QUICK;

    /** The word on an upgrade's report pipe. */
    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Stop> of(String word) {
        for (Stop stop : values()) {
            if (stop.word().equals(word)) {
                return Optional.of(stop);
            }
        }
        return Optional.empty();
    }
}
