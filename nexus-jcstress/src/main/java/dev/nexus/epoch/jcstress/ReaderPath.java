package dev.nexus.epoch.jcstress;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.SharedRegion;

/**
 * The reader's side of the protocol exactly as {@code Participant} runs it, step for step and through
 * the same {@link SharedRegion} accessors, for a slot of a bare layout (a {@code Participant} needs a
 * whole {@code EpochDomain}, with its reclaimer thread and stall monitor, far too heavy for a jcstress
 * state). The domain of a test is never closed, so the closed-bit checks are left out.
 *
 * <ul>
 *   <li>{@link #pin} = {@code Participant.pinSlot()} then, if the slot was taken offline,
 *       {@code pinSlow()} with {@code EpochDomain.rejoin()};</li>
 *   <li>{@link #reportFirstPin} = the first-pin report of {@code Participant.finishPin};</li>
 *   <li>{@link #unpin} = {@code Participant.unpin()}.</li>
 * </ul>
 */
final class ReaderPath {

    private ReaderPath() {
    }

    /**
     * Pins {@code slot} (region offset {@code slotOffset}) at the current epoch; returns that epoch.
     * Re-joins first if the slot is {@code OFFLINE}: arrive, then CAS {@code OFFLINE -> IDLE}.
     */
    static long pin(GracePeriodDetector detector, long epochOffset, int slot, long slotOffset) {
        long e = SharedRegion.getLongVolatile(epochOffset); // volatile read of E
        // volatile CAS IDLE -> PINNED(e): the store->load point of the read side
        if (SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.pinned(e))) {
            return e;
        }
        while (true) { // Participant.pinSlow
            e = SharedRegion.getLongVolatile(epochOffset);
            long word = SharedRegion.getLongVolatile(slotOffset);
            if (word != Epoch.IDLE) { // EpochDomain.rejoin: count the slot, then publish it online
                detector.arrive(slot);
                if (!SharedRegion.casLong(slotOffset, word, Epoch.IDLE)) {
                    detector.depart(slot);
                }
            }
            if (SharedRegion.casLong(slotOffset, Epoch.IDLE, Epoch.pinned(e))) {
                return e;
            }
        }
    }

    /**
     * The first-pin report of {@code Participant.finishPin} / {@code EpochDomain.firstPinInEpoch}:
     * if the slot's {@code seen} word (owner-only, plain) is not {@code e}, record {@code e} and let
     * the detector clear the slot's bit of grace period {@code e}.
     */
    static void reportFirstPin(GracePeriodDetector detector, int slot, long slotOffset, long e) {
        long seenOffset = slotOffset + DomainLayout.SLOT_SEEN;
        if (SharedRegion.getLongPlain(seenOffset) != e) {
            SharedRegion.setLongPlain(seenOffset, e); // owner-only word
            detector.report(slot, e);
        }
    }

    /** Unpins: release-store {@code IDLE}, pairing with a detector's volatile read of the slot. */
    static void unpin(long slotOffset) {
        SharedRegion.setLongRelease(slotOffset, Epoch.IDLE);
    }
}
