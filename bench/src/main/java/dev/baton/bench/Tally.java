package dev.baton.bench;

import java.util.EnumMap;
import java.util.Map;

/** Outcome counts and the latency of every request, whatever its outcome. Not thread-safe. */
final class Tally {
    private final long[] counts = new long[Outcome.values().length];
    private final Histogram latency = new Histogram();

    void record(Outcome outcome, long micros) {
        counts[outcome.ordinal()]++;
        latency.record(micros);
    }

    void add(Tally other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        latency.add(other.latency);
    }

    long requests() {
        long sum = 0;
        for (long count : counts) {
            sum += count;
        }
        return sum;
    }

    long count(Outcome outcome) {
        return counts[outcome.ordinal()];
    }

    long failures() {
        return requests() - count(Outcome.OK);
    }

    /** Failures by kind, only the kinds that occurred. */
    Map<Outcome, Long> failuresByKind() {
        Map<Outcome, Long> kinds = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.OK && count(outcome) > 0) {
                kinds.put(outcome, count(outcome));
            }
        }
        return kinds;
    }

    Histogram latency() {
        return latency;
    }

    /** {@code c0,c1,... | histogram}: how the load process hands its tallies over. */
    String encode() {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            line.append(i == 0 ? "" : ",").append(counts[i]);
        }
        return line.append(" | ").append(latency.encode()).toString();
    }

    static Tally decode(String text) {
        int bar = text.indexOf(" | ");
        String[] numbers = text.substring(0, bar).split(",");
        Tally tally = new Tally();
        for (int i = 0; i < numbers.length; i++) {
            tally.counts[i] = Long.parseLong(numbers[i]);
        }
        tally.latency.add(Histogram.decode(text.substring(bar + 3)));
        return tally;
    }
}
