package dev.baton.spawn;

import dev.baton.signals.Signal;

/** How a child ended, decoded from a raw wait status. */
public record ExitStatus(int code, int signal) {

    public static ExitStatus of(int raw) {
        int signal = raw & 0x7f;
        return signal == 0 ? new ExitStatus((raw >> 8) & 0xff, 0) : new ExitStatus(-1, signal);
    }

    public boolean success() {
        return signal == 0 && code == 0;
    }

    @Override
    public String toString() {
        return signal == 0 ? "exited with status " + code : "killed by " + Signal.describe(signal);
    }
}
