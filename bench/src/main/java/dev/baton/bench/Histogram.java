package dev.baton.bench;

/**
 * Latencies in microseconds, log-linear buckets: exact below 64 µs, then 32 buckets per power of
 * two (at most 3 % off). Fixed size, so recording never allocates; not thread-safe, each client
 * thread keeps its own and they are merged at the end.
 */
final class Histogram {
    private static final int LINEAR = 64;
    private static final int PER_OCTAVE = 32;
    private static final int OCTAVE_BITS = 5;
    private static final int BUCKETS = LINEAR + (63 - 6 + 1) * PER_OCTAVE;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    void record(long micros) {
        long value = Math.max(0, micros);
        counts[index(value)]++;
        total++;
        max = Math.max(max, value);
    }

    void add(Histogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long total() {
        return total;
    }

    long max() {
        return max;
    }

    /** The value at quantile q (0..1), as the middle of its bucket, never above the maximum. */
    long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, low(i) + width(i) / 2);
            }
        }
        return max;
    }

    static int index(long value) {
        if (value < LINEAR) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int mantissa = (int) (value >>> (exponent - OCTAVE_BITS));
        return LINEAR + (exponent - 6) * PER_OCTAVE + (mantissa - PER_OCTAVE);
    }

    private static long low(int index) {
        if (index < LINEAR) {
            return index;
        }
        int exponent = (index - LINEAR) / PER_OCTAVE + 6;
        long mantissa = (index - LINEAR) % PER_OCTAVE + PER_OCTAVE;
        return mantissa << (exponent - OCTAVE_BITS);
    }

    private static long width(int index) {
        return index < LINEAR ? 1 : 1L << ((index - LINEAR) / PER_OCTAVE + 6 - OCTAVE_BITS);
    }

    /** {@code max total i:count,i:count...}: one line of the load process's report. */
    String encode() {
        StringBuilder line = new StringBuilder().append(max).append(' ').append(total).append(' ');
        boolean first = true;
        for (int i = 0; i < BUCKETS; i++) {
            if (counts[i] != 0) {
                line.append(first ? "" : ",").append(i).append(':').append(counts[i]);
                first = false;
            }
        }
        return line.append(first ? "-" : "").toString();
    }

    static Histogram decode(String text) {
        String[] parts = text.trim().split(" ");
        Histogram histogram = new Histogram();
        histogram.max = Long.parseLong(parts[0]);
        histogram.total = Long.parseLong(parts[1]);
        if (!parts[2].equals("-")) {
            for (String pair : parts[2].split(",")) {
                int colon = pair.indexOf(':');
                histogram.counts[Integer.parseInt(pair.substring(0, colon))] = Long.parseLong(pair.substring(colon + 1));
            }
        }
        return histogram;
    }
}
