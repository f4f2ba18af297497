package dev.baton.master;

import dev.baton.net.ListenAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a master is configured with, validated. Immutable: a reload (HUP) builds new
 * Settings and the master switches to them whole.
 *
 * @param workers       workers per listener
 * @param standby       keep the next master started and parked, for a faster upgrade
 * @param timeout       a ready worker silent on its control channel this long is hung: killed, replaced
 * @param maxRequests   recycle a worker after about this many requests (0: never)
 * @param maxRssMib     recycle a worker whose resident memory exceeds this (0: never)
 * @param rollingBatch  how many workers a reload or recycle replaces at once
 * @param healthPath    path workers answer for load balancers (null: none)
 * @param healthDelay   how long a stopping node reports 503 there before it stops accepting
 * @param log           file the master and workers log to, reopened on USR1 (null: stderr)
 * @param jvmCache      directory of the workers' class-data sharing archives (null: none)
 */
public record Settings(
        List<ListenAddress> listen,
        int workers,
        Path pidFile,
        Duration gracefulTimeout,
        Duration bootTimeout,
        Duration timeout,
        Handoff handoff,
        boolean standby,
        String warmupPath,
        int warmupRequests,
        long maxRequests,
        long maxRssMib,
        int rollingBatch,
        String healthPath,
        Duration healthDelay,
        Path log,
        Path jvmCache,
        List<String> command) {

    /** The most workers per listener, at start and for TTIN or scale. */
    public static final int MAX_WORKERS = 256;

    public Settings {
        listen = List.copyOf(listen);
        command = List.copyOf(command);
    }

    /** Whether {@code other} needs no other master: same listeners, pid file and log file. */
    boolean sameMasterAs(Settings other) {
        return listen.equals(other.listen) && Objects.equals(pidFile, other.pidFile) && Objects.equals(log, other.log);
    }

    /** What a reload (HUP) applies: everything of {@code next} but what only a new master can change. */
    Settings reloadedWith(Settings next) {
        return new Settings(listen, next.workers, pidFile, next.gracefulTimeout, next.bootTimeout, next.timeout,
                next.handoff, next.standby, next.warmupPath, next.warmupRequests, next.maxRequests, next.maxRssMib, next.rollingBatch,
                next.healthPath, next.healthDelay, log, next.jvmCache, next.command);
    }

    /** Where the workers' JVM caches go when not told: beside the pid file; nowhere without one. */
    public static Path jvmCacheBeside(Path pidFile) {
        return pidFile == null ? null : pidFile.resolveSibling(pidFile.getFileName().toString().replaceFirst("\\.pid$", "")
                + ".jvm-cache");
    }
}
