package dev.baton.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.signals.Signal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The old master's side of an upgrade, transition by transition, without processes. */
class UpgradeStateTest {
    private static final int NEW_MASTER = 4242;
    private final List<String> sent = new ArrayList<>();
    private final Upgrade upgrade = new Upgrade(NEW_MASTER, 2, 0, false, (pid, signal) -> sent.add(signal + " " + pid));

    @Test
    void readyInAutoModeIsAHandoff() {
        assertEquals(Upgrade.Said.HANDED_OFF, upgrade.onLine("ready 812 auto"));
    }

    @Test
    void readyInManualModeLetsBothServeUntilAnyQuitOrTerm() {
        assertEquals(Upgrade.Said.READY, upgrade.onLine("ready 812 manual"));
        assertEquals(Upgrade.State.READY, upgrade.state());
        assertTrue(upgrade.handsOff(Stop.GRACEFUL, 1), "QUIT from the operator finishes the handoff");
        assertTrue(upgrade.handsOff(Stop.QUICK, 1));
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine("ready 900 manual"), "ready only once");
    }

    @Test
    void beforeReadyOnlyTheNewMastersQuitHandsOffAnythingElseStopsTheService() {
        assertTrue(upgrade.handsOff(Stop.GRACEFUL, NEW_MASTER));
        assertFalse(upgrade.handsOff(Stop.GRACEFUL, 1));
        assertFalse(upgrade.handsOff(Stop.QUICK, NEW_MASTER), "TERM, even from it, is no handoff");
        upgrade.stopService(Stop.QUICK);
        assertEquals(List.of("TERM " + NEW_MASTER), sent);
        assertEquals(Upgrade.State.STOPPING, upgrade.state());
        assertFalse(upgrade.pending(), "its exit is no failed upgrade");
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine("ready 812 auto"), "a stopping service takes no handoff");
    }

    @Test
    void theNewMasterStoppingStopsUsTheSameWay() {
        assertEquals(Upgrade.Said.STOP, upgrade.onLine("stop graceful"));
        assertEquals(Stop.GRACEFUL, upgrade.stop());
        upgrade.stopService(upgrade.stop());
        assertEquals(List.of("QUIT " + NEW_MASTER), sent);
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine("stop quick"), "already stopping");
    }

    @Test
    void afterTheHandoffAStopOnlyMeansDoNotServeAgain() {
        upgrade.handedOff();
        assertFalse(upgrade.pending());
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine("stop quick"));
        assertEquals(Stop.QUICK, upgrade.stop());
    }

    @Test
    void failureReasonsAndGarbage() {
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine("failed worker 0 failed to start 3 times in a row"));
        assertEquals("worker 0 failed to start 3 times in a row", upgrade.failure());
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine("stop sideways"));
        assertEquals(Upgrade.Said.NOTHING, upgrade.onLine(""));
        assertTrue(upgrade.pending());
    }

    @Test
    void aWokenStandbyThatDiesWithoutAWordDidNotTakeTheUpgrade() {
        Upgrade woken = new Upgrade(NEW_MASTER, 2, 0, true, (pid, signal) -> sent.add(signal + " " + pid));
        assertTrue(woken.diedAsWoken(), "silent so far");
        woken.onLine(Standby.STALE + " Baton changed since it started");
        assertTrue(woken.diedAsWoken(), "out of date: it leaves the upgrade to a master started afresh");
        assertEquals("Baton changed since it started", woken.stale());
        woken.onLine(Standby.WOKEN);
        assertFalse(woken.diedAsWoken(), "it took the word: its death is the upgrade's failure");
        assertFalse(upgrade.diedAsWoken(), "a master started for the upgrade fails as ever");
    }
}
