package dev.baton.protocol;

/** What a worker tells its master, one line each on fd {@link WorkerFds#REPORTS}. */
public sealed interface Report {

    /** The line as written on the pipe, without its newline. */
    String line();

    /**
     * Parses a line as the other side wrote it.
     *
     * @throws IllegalArgumentException naming the line, if it is no report
     */
    static Report parse(String line) {
        String text = line.strip();
        if (text.equals(Ready.WORD)) {
            return new Ready();
        }
        if (text.equals(Draining.WORD)) {
            return new Draining();
        }
        if (text.startsWith(Heartbeat.WORD + " ")) {
            try {
                long completed = Long.parseLong(text.substring(Heartbeat.WORD.length() + 1).strip());
                if (completed >= 0) {
                    return new Heartbeat(completed);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("not a worker report: '" + line + "'");
    }

    /** Accepting on the listener: the master may count this worker as serving. Sent once. */
    record Ready() implements Report {
        static final String WORD = "ready";

        @Override
        public String line() {
            return WORD;
        }
    }

    /**
     * Sent about every second, but only while the worker's request threads make progress, so that
     * a master can tell a hung worker from a busy one. Carries the requests completed so far.
     */
    record Heartbeat(long completedRequests) implements Report {
        static final String WORD = "heartbeat";

        public Heartbeat {
            if (completedRequests < 0) {
                throw new IllegalArgumentException("completed requests < 0: " + completedRequests);
            }
        }

        @Override
        public String line() {
            return WORD + " " + completedRequests;
        }
    }

    /** Stopped accepting; finishing what runs, then exiting. */
    record Draining() implements Report {
        static final String WORD = "draining";

        @Override
        public String line() {
            return WORD;
        }
    }
}
