package dev.baton.master;

import dev.baton.net.Listener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** A master's answer to {@code status}: JSON for programs, a table for people. */
final class Status {
    private Status() {
    }

    static String json(Master master) {
        WorkerPool pool = master.pool();
        StringBuilder out = new StringBuilder("{");
        field(out, "pid", master.pid()).append(',');
        field(out, "generation", master.generation()).append(',');
        field(out, "state", master.state()).append(',');
        field(out, "started", master.startedAt().toString()).append(',');
        field(out, "new_master", master.successorPid()).append(',');
        out.append("\"standby\":{");
        field(out, "pid", master.standby().pid()).append(',');
        field(out, "state", master.standby().state()).append("},");
        out.append("\"startup_ms\":").append(StartupSteps.json()).append(',');
        field(out, "rss_kib", pool.rssKib(master.pid())).append(',');
        field(out, "class_data_archive", master.archive().describe()).append(',');
        out.append("\"listeners\":[");
        List<String> addresses = master.listeners().stream().map(Listener::display).toList();
        for (int i = 0; i < addresses.size(); i++) {
            out.append(i == 0 ? "" : ",").append(quote(addresses.get(i)));
        }
        out.append("],");
        field(out, "workers_wanted", pool.wanted()).append(',');
        field(out, "workers_serving", serving(pool)).append(',');
        out.append("\"workers\":[");
        long now = System.nanoTime();
        List<Worker> workers = sorted(pool);
        for (int i = 0; i < workers.size(); i++) {
            Worker w = workers.get(i);
            out.append(i == 0 ? "{" : ",{");
            field(out, "worker", w.slot.number).append(',');
            field(out, "listener", w.slot.listener).append(',');
            field(out, "pid", w.pid).append(',');
            field(out, "generation", w.generation).append(',');
            field(out, "state", state(w)).append(',');
            if (w.outdated != null) {
                field(out, "replacing", w.outdated).append(',');
            }
            field(out, "age_ms", TimeUnit.NANOSECONDS.toMillis(now - w.spawnedAt)).append(',');
            field(out, "requests", w.requests).append(',');
            field(out, "jvm_cache", w.jvmCache == null ? "none" : w.jvmCache.describe()).append(',');
            field(out, "rss_kib", pool.rssKib(w.pid));
            out.append('}');
        }
        return out.append("]}").toString();
    }

    static String text(Master master) {
        WorkerPool pool = master.pool();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "master pid %d, generation %d, %s, up %s, %d MiB resident, listening on %s%n",
                master.pid(), master.generation(), master.state(),
                human(Duration.between(master.startedAt(), Instant.now())), pool.rssKib(master.pid()) / 1024,
                String.join(" ", master.listeners().stream().map(Listener::display).toList())));
        if (master.successorPid() != 0) {
            out.append("  upgrading: new master pid ").append(master.successorPid()).append('\n');
        }
        if (master.standby().pid() != 0) {
            out.append("  standby master: pid ").append(master.standby().pid()).append(", ")
                    .append(master.standby().state()).append('\n');
        }
        out.append(String.format(Locale.ROOT, "  workers: %d serving of %d wanted%n", serving(pool), pool.wanted()));
        out.append(String.format(Locale.ROOT, "  %-8s %-8s %-4s %-9s %-9s %-10s %s%n",
                "WORKER", "PID", "GEN", "STATE", "AGE", "REQUESTS", "RSS"));
        long now = System.nanoTime();
        for (Worker w : sorted(pool)) {
            out.append(String.format(Locale.ROOT, "  %-8s %-8d %-4d %-9s %-9s %-10d %d MiB%s%n",
                    (master.listeners().size() > 1 ? w.slot.listener + "." : "") + w.slot.number, w.pid, w.generation,
                    state(w), human(Duration.ofNanos(now - w.spawnedAt)), w.requests, pool.rssKib(w.pid) / 1024,
                    w.outdated != null ? "  (" + w.outdated + ")" : ""));
        }
        return out.toString().stripTrailing();
    }

    /** Workers taking traffic now, including ones about to be replaced. */
    private static long serving(WorkerPool pool) {
        return pool.workers().stream().filter(w -> w.state == Worker.State.READY).count();
    }

    private static List<Worker> sorted(WorkerPool pool) {
        List<Worker> workers = new ArrayList<>(pool.workers());
        workers.sort(Comparator.comparingInt((Worker w) -> w.slot.listener).thenComparingInt(w -> w.slot.number)
                .thenComparingLong(w -> w.spawnedAt));
        return workers;
    }

    private static String state(Worker worker) {
        return switch (worker.state) {
            case STARTING -> "starting";
            case READY -> "ready";
            case STOPPING -> "draining";
        };
    }

    private static String human(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 60 ? seconds + "s" : seconds < 3600 ? seconds / 60 + "m" + seconds % 60 + "s"
                : seconds / 3600 + "h" + seconds % 3600 / 60 + "m";
    }

    private static StringBuilder field(StringBuilder out, String name, long value) {
        return out.append(quote(name)).append(':').append(value);
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        return out.append(quote(name)).append(':').append(quote(value));
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
