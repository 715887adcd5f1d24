package dev.nexus.epoch.jcstress;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Tiny domain layouts for jcstress states: real {@link DomainLayout} blocks carved from the real
 * {@link SharedRegion}, recycled from one state to the next.
 *
 * <p>Why recycle: jcstress builds a fresh state object for every sample (millions per test), and a
 * carved block is never handed out twice by {@code SharedRegion}. Carving one page per sample would
 * commit gigabytes. Each test therefore leases a layout in its state constructor and gives it back in
 * its {@code @Arbiter}, which jcstress runs after every actor of that state has finished and before
 * it builds the next state in the same slot of its state array.
 *
 * <p>Happens-before: the actors' accesses to a block happen-before the arbiter (jcstress), the arbiter's
 * {@link #release} happens-before the next {@link #lease} that returns the block (the deque), and
 * {@link #lease} zeroes the block and writes the initial words in the constructor, which jcstress
 * publishes to the actors. So a state never sees words left by an earlier one.
 *
 * <p>Thread-safe; lock-free.
 */
final class Layouts {

    /** The grace period running in every initial state: {@code E = K}. Old enough that tags 0 are older. */
    static final long K = 5;

    private static final ConcurrentLinkedDeque<DomainLayout> ONE_LEAF = new ConcurrentLinkedDeque<>();
    private static final ConcurrentLinkedDeque<DomainLayout> TWO_LEAVES = new ConcurrentLinkedDeque<>();
    private static final ConcurrentLinkedDeque<DomainLayout> WITH_PARTICIPANTS = new ConcurrentLinkedDeque<>();

    private Layouts() {
    }

    /**
     * A zeroed 16-slot layout ({@code new DomainLayout(16, 0)}: one leaf, which is the root) with
     * {@code E = K}. Every slot is {@code FREE}, every node word {@code (tag 0, pending 0)}.
     */
    static DomainLayout oneLeaf() {
        return lease(ONE_LEAF, 16);
    }

    /**
     * A zeroed 32-slot layout ({@code new DomainLayout(32, 0)}: two leaves under an inner root that
     * keeps per-child counts) with {@code E = K}.
     */
    static DomainLayout twoLeaves() {
        return lease(TWO_LEAVES, 32);
    }

    /**
     * A zeroed 32-slot layout with a participant leaf ({@code new DomainLayout(16, 16)}: pool slots
     * 0 to 15 in leaf 0, participant slots 16 to 31 in leaf 1, under an inner root) with {@code E = K}.
     */
    static DomainLayout withParticipants() {
        return lease(WITH_PARTICIPANTS, 16, 16);
    }

    /** Gives a layout back; call only when no actor of the state will touch it again (the arbiter). */
    static void release(DomainLayout layout) {
        (layout.capacity() == 16 ? ONE_LEAF : layout.poolCapacity() == 16 ? WITH_PARTICIPANTS : TWO_LEAVES)
                .push(layout);
    }

    private static DomainLayout lease(ConcurrentLinkedDeque<DomainLayout> pool, int slots) {
        return lease(pool, slots, 0);
    }

    private static DomainLayout lease(ConcurrentLinkedDeque<DomainLayout> pool, int slots, int participants) {
        DomainLayout layout = pool.poll();
        if (layout == null) {
            layout = new DomainLayout(slots, participants);
        }
        // plain writes: the state constructor runs before jcstress publishes the state to the actors
        SharedRegion.MEMORY.asSlice(layout.block(), layout.bytes()).fill((byte) 0);
        SharedRegion.setLongPlain(layout.epoch(), K);
        return layout;
    }

    /** Region offset of slot {@code slot}'s {@code seen} word. */
    static long seen(DomainLayout layout, int slot) {
        return layout.slot(slot) + DomainLayout.SLOT_SEEN;
    }

    /** Initial word of a slot, written plainly by a state constructor. */
    static void initSlot(DomainLayout layout, int slot, long word, long seenEpoch) {
        SharedRegion.setLongPlain(layout.slot(slot), word);
        SharedRegion.setLongPlain(seen(layout, slot), seenEpoch);
    }

    /** The value of {@code E} without the closed bit, read with a volatile load. */
    static long epochVolatile(DomainLayout layout) {
        return Epoch.value(SharedRegion.getLongVolatile(layout.epoch()));
    }
}
