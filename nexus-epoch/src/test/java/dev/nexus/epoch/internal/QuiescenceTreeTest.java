package dev.nexus.epoch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The quiescence tree, driven step by step on a real layout: slots are pinned, unpinned and counted
 * by hand, as the domain does.
 */
class QuiescenceTreeTest {

    private final DomainLayout layout = new DomainLayout(1024, 0); // three levels: 64, 4, 1
    private final QuiescenceTree tree = new QuiescenceTree(layout);

    QuiescenceTreeTest() {
        SharedRegion.setLongVolatile(layout.epoch(), Epoch.FIRST);
    }

    private long epoch() {
        return SharedRegion.getLongVolatile(layout.epoch());
    }

    private void online(int slot, long word) {
        tree.arrive(slot);
        SharedRegion.setLongVolatile(layout.slot(slot), word);
    }

    /** A grace period waits for a counted slot pinned before it, and completes once it unpins. */
    @Test
    void waitsForPinnedSlot() {
        online(700, Epoch.pinned(0));
        online(3, Epoch.IDLE);
        List<Integer> stragglers = new ArrayList<>();
        assertThat(tree.forceQuiescentState(1, (slot, word) -> stragglers.add(slot))).isFalse();
        assertThat(epoch()).isEqualTo(1);
        assertThat(stragglers).containsExactly(700);
        SharedRegion.setLongRelease(layout.slot(700), Epoch.IDLE);
        assertThat(tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE)).isTrue();
        assertThat(epoch()).isEqualTo(2);
    }

    /** A slot pinned at the running epoch does not hold it back. */
    @Test
    void currentPinDoesNotBlock() {
        online(5, Epoch.pinned(1));
        assertThat(tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE)).isTrue();
        assertThat(epoch()).isEqualTo(2);
        assertThat(tree.forceQuiescentState(2, GracePeriodDetector.StragglerSink.NONE)).isFalse();
    }

    /**
     * The reader's own report completes the tree when it is the last pending slot, but leaves the
     * advance of E to the advancer (so that pins do not advance epochs one after another).
     */
    @Test
    void readerReportCompletesButDoesNotAdvance() {
        online(40, Epoch.pinned(0));
        online(900, Epoch.IDLE);
        assertThat(tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE)).isFalse();
        SharedRegion.setLongVolatile(layout.slot(40), Epoch.pinned(1)); // re-pinned at 1
        tree.report(40, 1);
        long root = SharedRegion.getLongVolatile(layout.node(layout.levels() - 1, 0));
        assertThat(Epoch.nodeTag(root)).isEqualTo(Epoch.tag(1));
        assertThat(Epoch.nodePending(root)).isZero();
        assertThat(epoch()).isEqualTo(1);
        assertThat(tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE)).isTrue();
        assertThat(epoch()).isEqualTo(2);
    }

    /** A stale report (for an older grace period) changes nothing in the running one. */
    @Test
    void staleReportIsIgnored() {
        online(40, Epoch.pinned(0));
        online(41, Epoch.IDLE);
        tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE); // installs leaf 2 for k=1
        long leaf = SharedRegion.getLongVolatile(layout.node(0, 2));
        assertThat(Epoch.nodeTag(leaf)).isEqualTo(Epoch.tag(1));
        assertThat(Epoch.nodePending(leaf)).isEqualTo(1 << 8); // slot 40 = leaf 2, bit 8
        tree.report(41, 0); // stale: grace period 0 is long over
        assertThat(SharedRegion.getLongVolatile(layout.node(0, 2))).isEqualTo(leaf);
        assertThat(epoch()).isEqualTo(1);
    }

    /** A node completed by a reporter that stopped before climbing is climbed by FQS (helping). */
    @Test
    void fqsHelpsAPreemptedCompleter() {
        online(40, Epoch.pinned(1));
        // leaf 2 complete for 1, as if its completer was preempted before clearing the parent bit
        tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE);
        assertThat(epoch()).isEqualTo(2);
        SharedRegion.setLongVolatile(layout.slot(40), Epoch.pinned(2));
        SharedRegion.setLongVolatile(layout.node(0, 2), Epoch.node(Epoch.tag(2), 0));
        assertThat(tree.forceQuiescentState(2, GracePeriodDetector.StragglerSink.NONE)).isTrue();
        assertThat(epoch()).isEqualTo(3);
    }

    /** Slots idle for two grace periods go offline, and their subtree is no longer counted. */
    @Test
    void idleSlotsGoOffline() {
        online(600, Epoch.IDLE);
        SharedRegion.setLongPlain(layout.slot(600) + DomainLayout.SLOT_SEEN, 0);
        for (long k = 1; k <= 3; k++) {
            tree.forceQuiescentState(k, GracePeriodDetector.StragglerSink.NONE);
        }
        assertThat(SharedRegion.getLongVolatile(layout.slot(600))).isEqualTo(Epoch.OFFLINE);
        int leaf = 600 / 16;
        assertThat(SharedRegion.getIntVolatile(layout.count(1, leaf / 16, leaf % 16))).isZero();
        assertThat(SharedRegion.getIntVolatile(layout.count(2, 0, leaf / 16))).isZero();
    }

    /** An uncounted subtree is skipped: a pinned slot nobody counted is not waited for. */
    @Test
    void countsDecideWhatIsWaitedFor() {
        SharedRegion.setLongVolatile(layout.slot(800), Epoch.pinned(0)); // not counted: never arrived
        assertThat(tree.forceQuiescentState(1, GracePeriodDetector.StragglerSink.NONE)).isTrue();
        online(801, Epoch.pinned(1)); // counted: its leaf is visited in grace period 2
        List<Integer> stragglers = new ArrayList<>();
        assertThat(tree.forceQuiescentState(2, (slot, word) -> stragglers.add(slot))).isFalse();
        assertThat(stragglers).contains(800, 801);
    }
}
