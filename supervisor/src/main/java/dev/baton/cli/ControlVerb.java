package dev.baton.cli;

import dev.baton.control.ControlClient;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * A verb that is one request on the master's control socket: its answer lines are printed, and
 * an answer starting with {@code error} becomes a one-line failure.
 */
abstract class ControlVerb implements Callable<Integer> {
    @Mixin
    MasterTarget target;

    /** The request line to send. */
    abstract String request();

    /** Called after a successful answer, for verbs that wait for its effect. */
    int after(int master) throws Exception {
        return 0;
    }

    @Override
    public final Integer call() throws Exception {
        int master = target.livePid();
        String first = null;
        try (ControlClient control = ControlClient.connect(target.controlSocket())) {
            control.send(request());
            for (String line = control.readLine(); line != null; line = control.readLine()) {
                if (first == null) {
                    first = line;
                    if (line.startsWith("error ")) {
                        System.err.println("baton: master " + master + ": " + line.substring(6));
                        return Main.FAILURE;
                    }
                }
                System.out.println(line);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot reach master " + master + " on its control socket "
                    + target.controlSocket() + ": " + e.getMessage());
        }
        if (first == null) {
            System.err.println("baton: master " + master + " closed the control connection without an answer");
            return Main.FAILURE;
        }
        return after(master);
    }
}
