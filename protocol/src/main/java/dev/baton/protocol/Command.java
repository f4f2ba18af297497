package dev.baton.protocol;

import java.util.Optional;

/** What a master tells a worker, one line each on fd {@link WorkerFds#COMMANDS}. */
public enum Command {
    /** Drain (running requests finish, responses close their connections), then exit 0. */
    QUIT("quit"),
    /** Exit 0 now, without draining. */
    TERM("term"),
    /** The operator rotated the log files: run the application's hook. */
    REOPEN_LOGS("reopen-logs"),
    /**
     * The node is about to stop: the health path answers 503 from now on so load balancers move
     * traffic away, while every other request is served and connections are still accepted.
     */
    UNHEALTHY("unhealthy");

    private final String word;

    Command(String word) {
        this.word = word;
    }

    /** The line as written on the pipe, without its newline. */
    public String line() {
        return word;
    }

    /** The command a line carries; empty for an unknown word, which a worker logs and ignores. */
    public static Optional<Command> parse(String line) {
        String word = line.strip();
        for (Command command : values()) {
            if (command.word.equals(word)) {
                return Optional.of(command);
            }
        }
        return Optional.empty();
    }
}
