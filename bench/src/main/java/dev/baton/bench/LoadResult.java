package dev.baton.bench;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the load process measured: a tally per {@link Bucket}, the length of each measured phase, and how
 * many successful responses each hello version gave. Crosses the process boundary as text lines.
 */
record LoadResult(Map<Bucket, Tally> tallies, double steadySeconds, double restartSeconds,
        Map<String, Long> versions) {

    static LoadResult of(List<Client> clients, double[] phaseSeconds) {
        Map<Bucket, Tally> tallies = new EnumMap<>(Bucket.class);
        Map<String, Long> versions = new TreeMap<>();
        for (Bucket bucket : Bucket.values()) {
            tallies.put(bucket, new Tally());
        }
        for (Client client : clients) {
            client.tallies.forEach((bucket, tally) -> tallies.get(bucket).add(tally));
            client.versions.forEach((version, count) -> versions.merge(version, count, Long::sum));
        }
        return new LoadResult(tallies, phaseSeconds[0], phaseSeconds[1], versions);
    }

    /** Every request but the slow ones, whose latency is chosen, not measured. */
    Tally fast() {
        Tally all = new Tally();
        all.add(tallies.get(Bucket.STEADY));
        all.add(tallies.get(Bucket.BETWEEN));
        all.add(tallies.get(Bucket.WINDOW));
        return all;
    }

    Tally bucket(Bucket bucket) {
        return tallies.get(bucket);
    }

    /** Every request, slow ones and the warm-up's included. */
    Tally all() {
        Tally all = new Tally();
        tallies.values().forEach(all::add);
        return all;
    }

    /** Failed requests of every kind, slow ones and the warm-up's included. */
    long failures() {
        return all().failures();
    }

    void write(PrintStream out) {
        out.println("seconds " + steadySeconds + " " + restartSeconds);
        versions.forEach((version, count) -> out.println("version " + version + " " + count));
        tallies.forEach((bucket, tally) -> out.println("tally " + bucket + " " + tally.encode()));
        out.println("end");
    }

    /** Parses the lines {@link #write} printed, up to but excluding {@code end}. */
    static LoadResult read(List<String> lines) {
        Map<Bucket, Tally> tallies = new EnumMap<>(Bucket.class);
        Map<String, Long> versions = new TreeMap<>();
        double steady = 0;
        double restarts = 0;
        for (String line : lines) {
            String[] words = line.split(" ", 3);
            switch (words[0]) {
                case "seconds" -> {
                    steady = Double.parseDouble(words[1]);
                    restarts = Double.parseDouble(words[2]);
                }
                case "version" -> versions.put(words[1], Long.parseLong(words[2]));
                case "tally" -> tallies.put(Bucket.valueOf(words[1]), Tally.decode(words[2]));
                default -> throw new IllegalStateException("unexpected line from the load process: " + line);
            }
        }
        return new LoadResult(tallies, steady, restarts, versions);
    }
}
