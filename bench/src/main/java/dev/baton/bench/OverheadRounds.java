package dev.baton.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The overhead phase's load process: {@code Main rounds MODE CONNECTIONS MAX_WARMUP_SECONDS
 * ROUND_SECONDS PORT...}. Flat out, one round per PORT in the order given, so only one server is
 * under load at any moment. One JVM for every round: the client is equally warm for both servers.
 *
 * <p>First a {@link WarmUp} of each port, so no server's JIT warm-up lands in a measured round.
 * Then per round it prints {@code round PORT} and that round's {@link LoadResult}.
 */
final class OverheadRounds {
    private OverheadRounds() {
    }

    static void run(String[] args) throws InterruptedException {
        if (args.length < 5) {
            throw new IllegalArgumentException("usage: rounds MODE CONNECTIONS MAX_WARMUP_SECONDS ROUND_SECONDS PORT...");
        }
        Mode mode = Mode.of(args[0]);
        int connections = Integer.parseInt(args[1]);
        double maxWarmUp = Double.parseDouble(args[2]);
        double round = Double.parseDouble(args[3]);
        List<Integer> ports = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            ports.add(Integer.parseInt(args[i]));
        }
        for (int port : new LinkedHashSet<>(ports)) {
            WarmUp.untilSteady(mode, connections, port, maxWarmUp);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        for (int port : ports) {
            LoadResult result = LoadGenerator.flatOut(mode, connections, port, round);
            out.println("round " + port);
            result.write(out);
        }
    }
}
