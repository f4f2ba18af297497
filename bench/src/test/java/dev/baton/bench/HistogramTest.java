package dev.baton.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HistogramTest {
    @Test
    void percentilesAreWithinThreePercent() {
        Histogram histogram = new Histogram();
        for (long micros = 1; micros <= 100_000; micros++) {
            histogram.record(micros);
        }
        assertClose(50_000, histogram.percentile(0.50));
        assertClose(99_000, histogram.percentile(0.99));
        assertEquals(100_000, histogram.max());
        assertEquals(100_000, histogram.total());
    }

    @Test
    void smallValuesAreExact() {
        Histogram histogram = new Histogram();
        histogram.record(7);
        histogram.record(7);
        histogram.record(63);
        assertEquals(7, histogram.percentile(0.5));
        assertEquals(63, histogram.percentile(1.0));
    }

    @Test
    void survivesTheTripBetweenProcesses() {
        Tally tally = new Tally();
        tally.record(Outcome.OK, 1_234);
        tally.record(Outcome.RESET, 56_789);
        Tally copy = Tally.decode(tally.encode());
        assertEquals(2, copy.requests());
        assertEquals(1, copy.count(Outcome.RESET));
        assertEquals(56_789, copy.latency().max());
        assertEquals(tally.latency().percentile(0.5), copy.latency().percentile(0.5));
        assertEquals(0, Tally.decode(new Tally().encode()).requests());
    }

    private static void assertClose(long expected, long actual) {
        assertTrue(Math.abs(actual - expected) <= expected * 0.03, "expected about " + expected + ", got " + actual);
    }
}
