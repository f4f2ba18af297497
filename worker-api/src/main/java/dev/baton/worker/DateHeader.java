package dev.baton.worker;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Puts the HTTP {@code Date} header on each response before the application runs, formatted by
 * arithmetic, so that Undertow, which only adds one when it is missing, never formats a date.
 *
 * <p>Why: Undertow formats it with {@code SimpleDateFormat}, and the JVM's first date format loads
 * and initialises its locale and time-zone data: 40-53 ms, JDK 17 and 25 alike, in every new JVM,
 * even from a class-data archive (it is initialisation, not loading). That was most of a new
 * worker's first request, which is when a deploy's new generation starts serving, and of a cold
 * start's first response. Formatted here it costs nothing at first use; the text is the same
 * (RFC 9110's IMF-fixdate, which Undertow also writes), computed once a second.
 */
final class DateHeader implements HttpHandler {
    /** From day 0, 1970-01-01, a Thursday. */
    private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** The last second formatted, and its text: one immutable pair, so threads race harmlessly. */
    private record Stamp(long second, String text) {
    }

    private final HttpHandler next;
    private volatile Stamp last = new Stamp(Long.MIN_VALUE, "");

    DateHeader(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long second = Math.floorDiv(System.currentTimeMillis(), 1000L);
        Stamp stamp = last;
        if (stamp.second() != second) {
            stamp = new Stamp(second, format(second));
            last = stamp;
        }
        exchange.getResponseHeaders().put(Headers.DATE, stamp.text());
        next.handleRequest(exchange);
    }

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT} for seconds since the epoch, proleptic Gregorian, UTC. */
    static String format(long epochSecond) {
        long days = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        // Days to civil date, after Howard Hinnant's days_from_civil inverse: eras of 400 years.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153; // March is 0
        int day = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder text = new StringBuilder(29);
        text.append(DAYS[(int) Math.floorMod(days, 7L)]).append(", ");
        twoDigits(text, day).append(' ').append(MONTHS[month - 1]).append(' ').append(year).append(' ');
        twoDigits(text, secondOfDay / 3600).append(':');
        twoDigits(text, secondOfDay / 60 % 60).append(':');
        return twoDigits(text, secondOfDay % 60).append(" GMT").toString();
    }

    private static StringBuilder twoDigits(StringBuilder text, int value) {
        return text.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
