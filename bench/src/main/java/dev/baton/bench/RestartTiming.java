package dev.baton.bench;

/**
 * One restart, in milliseconds from its start (Baton: the old master taking USR2; the baselines:
 * the restart command): until the new version answered a request, until the old server was gone,
 * and for Baton until the new generation was ready (the handoff), -1 where there is no such step.
 */
record RestartTiming(String version, long servingMillis, long oldGoneMillis, long readyMillis) {
}
