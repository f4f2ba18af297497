package dev.baton.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotifierTest {
    private final List<String> sent = new ArrayList<>();

    @Test
    void aFirstMasterSaysReadyOnceItsWorkersAreAndStatusWhenTheCountChanges() {
        Notifier notifier = new Notifier(1, true, sent::add);
        notifier.workers(0, 2);
        notifier.workers(0, 2);
        notifier.workers(2, 2);
        notifier.ready();
        notifier.stopping("QUIT from pid 7");
        assertEquals(List.of(
                "STATUS=generation 1: 0 of 2 workers ready",
                "STATUS=generation 1: 2 of 2 workers ready",
                "READY=1\nSTATUS=generation 1: 2 of 2 workers ready",
                "STOPPING=1\nSTATUS=generation 1: 2 of 2 workers ready; stopping: QUIT from pid 7"), sent);
    }

    @Test
    void anOldMasterSaysReloadingThenNothingOnceHandedOver() {
        Notifier notifier = new Notifier(1, true, sent::add);
        notifier.workers(2, 2);
        notifier.reloading(2);
        notifier.handedOver();
        notifier.workers(1, 2);
        notifier.stopping("QUIT from pid 9");
        assertEquals(2, sent.size(), sent.toString());
        assertTrue(sent.get(1).matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=generation 1: 2 of 2 workers ready; "
                + "upgrading to generation 2"), sent.get(1));
    }

    @Test
    void aRolledBackUpgradeEndsTheReloadWithReadyAndSaysWhy() {
        Notifier notifier = new Notifier(1, true, sent::add);
        notifier.workers(2, 2);
        notifier.reloading(2);
        notifier.upgradeFailed("worker 0 failed to start 3 times in a row");
        assertEquals("READY=1\nSTATUS=generation 1: 2 of 2 workers ready; last upgrade failed: worker 0 failed to start "
                + "3 times in a row", sent.get(2));
    }

    @Test
    void aNewMasterIsSilentUntilItTakesOverAndSilentIfItGivesUp() {
        Notifier taking = new Notifier(2, false, sent::add);
        taking.workers(2, 2);
        taking.takeOver(4321);
        assertEquals(List.of("MAINPID=4321\nREADY=1\nSTATUS=generation 2: 2 of 2 workers ready"), sent);

        sent.clear();
        Notifier givingUp = new Notifier(3, false, sent::add);
        givingUp.workers(0, 2);
        givingUp.stopping("giving up");
        assertEquals(List.of(), sent);
    }
}
