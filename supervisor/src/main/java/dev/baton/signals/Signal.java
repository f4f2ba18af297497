package dev.baton.signals;

import java.util.Arrays;
import java.util.Optional;

/** The signals the master acts on, with their Linux numbers (x86-64 and aarch64 agree). */
public enum Signal {
    HUP(1), INT(2), QUIT(3), KILL(9), USR1(10), USR2(12), TERM(15), CHLD(17), TTIN(21), TTOU(22), WINCH(28);

    /** What the master takes synchronously; KILL is here only to be sent. */
    static final Signal[] HANDLED = {HUP, INT, QUIT, USR1, USR2, TERM, CHLD, TTIN, TTOU, WINCH};
    /** Those that must be blocked in every thread, lest HotSpot or the default action take them: all but CHLD. */
    static final Signal[] REQUIRED = Arrays.stream(HANDLED).filter(s -> s != CHLD).toArray(Signal[]::new);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    public static Optional<Signal> of(int number) {
        return Arrays.stream(values()).filter(s -> s.number == number).findFirst();
    }

    /** A signal number as a name for logs: SIGKILL, or "signal 40" for one Baton does not name. */
    public static String describe(int number) {
        return of(number).map(s -> "SIG" + s.name()).orElse("signal " + number);
    }

    static int[] numbers(Signal... signals) {
        return Arrays.stream(signals).mapToInt(Signal::number).toArray();
    }
}
