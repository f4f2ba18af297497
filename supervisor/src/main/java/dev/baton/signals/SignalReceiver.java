package dev.baton.signals;

import dev.baton.posix.Posix;
import java.util.function.BiConsumer;

/**
 * The one thread that takes the master's signals. They stay blocked everywhere (see
 * {@link SignalMask}); this thread waits for them synchronously, so no Java code ever runs in a
 * signal handler, and hands each one, with its sender's pid, to the master's event queue.
 */
public final class SignalReceiver {
    private SignalReceiver() {
    }

    public static void start(BiConsumer<Signal, Integer> onSignal) {
        Thread thread = new Thread(() -> {
            int[] handled = Signal.numbers(Signal.HANDLED);
            while (true) {
                Posix.Delivered delivered = Posix.awaitSignal(handled);
                Signal.of(delivered.signal()).ifPresent(s -> onSignal.accept(s, delivered.senderPid()));
            }
        }, "baton-signals");
        thread.setDaemon(true);
        thread.start();
    }
}
