package dev.baton.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.undertow.util.DateUtils;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The arithmetic formatter writes exactly what Undertow's own SimpleDateFormat would have. */
class DateHeaderTest {

    @Test
    void formatsEdgesOfDaysMonthsYearsAndLeapYearsAsUndertowDoes() {
        for (String instant : new String[] {"1970-01-01T00:00:00", "1994-11-06T08:49:37", "1999-12-31T23:59:59",
                "2000-02-29T12:00:00", "2000-03-01T00:00:00", "2024-02-29T23:59:59", "2038-01-19T03:14:08",
                "2100-02-28T23:59:59", "2100-03-01T00:00:00", "2399-12-31T23:59:59"}) {
            long second = LocalDateTime.parse(instant).toEpochSecond(ZoneOffset.UTC);
            assertEquals(undertow(second), DateHeader.format(second), instant);
        }
    }

    @Test
    void formatsAnySecondUntil2400AsUndertowDoes() {
        SplittableRandom random = new SplittableRandom(13);
        long end = LocalDateTime.parse("2400-01-01T00:00:00").toEpochSecond(ZoneOffset.UTC);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(end);
            assertEquals(undertow(second), DateHeader.format(second), "second " + second);
        }
    }

    @Test
    void aWorkersFirstResponseFormatsNoDateTheSlowWay() throws Exception {
        // A JVM of its own, since which classes a JVM has loaded cannot be undone.
        ServerProbe.Output probe = ServerProbe.run(List.of("-Xlog:class+load=info:stdout"));
        assertEquals("200", probe.get("served"));
        String untilServed = probe.text().substring(0, probe.text().indexOf("served="));
        assertFalse(untilServed.contains(" java.text.SimpleDateFormat "),
                "the first response formatted its Date with SimpleDateFormat (40-53 ms of locale data)");
    }

    private static String undertow(long second) {
        return DateUtils.toDateString(new Date(second * 1000));
    }
}
