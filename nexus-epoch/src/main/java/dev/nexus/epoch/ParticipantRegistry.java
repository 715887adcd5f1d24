package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotAllocator;
import dev.nexus.epoch.internal.SlotFlag;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;

/**
 * The participant slots of a domain: leases them to {@link Participant}s, remembers each owner thread
 * weakly, and returns slots whose participant was closed, became unreachable (Cleaner), or whose
 * thread died while pinned (the backstop that keeps reclamation going).
 *
 * <p>Thread-safety: {@link #register()} and the releases may run on any threads at once; each slot
 * is released once, by the participant's {@link Cleaner.Cleanable}.
 */
final class ParticipantRegistry {

    private static final Cleaner CLEANER = DomainReaper.CLEANER;

    // no reference to the domain: the Cleaner holds Release actions, which reach this registry, and
    // must not keep an unreachable domain alive
    private final EpochDomain.Ref domain;
    private final SlotAllocator slots;
    private final int first;
    private final int capacity;
    /** Owner thread per participant slot, weakly; written on register and release, read racily. */
    private final WeakReference<?>[] owners;
    /** Membarrier read side: a participant slot's online state is its flag word (see SlotFlag). */
    private final boolean byFlag;

    ParticipantRegistry(EpochDomain.Ref domain, DomainLayout layout, SlotAllocator slots, boolean byFlag) {
        this.byFlag = byFlag;
        this.domain = domain;
        this.slots = slots;
        this.first = layout.poolCapacity();
        this.capacity = layout.capacity() - first;
        this.owners = new WeakReference<?>[capacity];
    }

    Participant register(EpochDomain owningDomain) {
        int slot = slots.leaseParticipantSlot();
        if (slot < 0) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "': all " + capacity
                    + " participant slots are registered; raise EpochDomain.builder().maxParticipants(...)"
                    + " or close unused participants");
        }
        Thread owner = Thread.currentThread();
        long slotOffset = slotOffset(slot);
        // plain: the slot is FREE and ours alone; the re-join CAS of the first pin publishes these
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_OWNER, owner.threadId());
        SharedRegion.setLongPlain(slotOffset + DomainLayout.SLOT_SEEN, -1);
        owners[slot - first] = new WeakReference<>(owner);
        Participant participant = new Participant(owningDomain, slot, slotOffset, owner.threadId());
        participant.cleanable = CLEANER.register(participant, new Release(this, slot));
        return participant;
    }

    private long slotOffset(int slot) {
        return domain.slotBase() + ((long) slot << 7);
    }

    /** Whether {@code slot} is a participant slot. */
    boolean contains(int slot) {
        return slot >= first;
    }

    /**
     * Returns a participant slot: marks it FREE (counting it out if it was online) and recycles it.
     * Runs once per participant, from {@code Participant.close()} or from the Cleaner.
     */
    void release(int slot) {
        long slotOffset = slotOffset(slot);
        if (byFlag) {
            // the owner is done (closed at depth 0) or gone (unreachable): no pin follows, so the
            // owner-only slot word can be written here; volatile, before the flag goes offline
            SharedRegion.setLongVolatile(slotOffset, Epoch.FREE);
            takeFlagOffline(slot, slotOffset);
            owners[slot - first] = null;
            slots.returnParticipantSlot(slot);
            return;
        }
        while (true) {
            long word = SharedRegion.getLongVolatile(slotOffset);
            // volatile CAS to FREE: wins against a concurrent offlining of the same word
            if (SharedRegion.casLong(slotOffset, word, Epoch.FREE)) {
                if (Epoch.isOnline(word)) {
                    domain.detector().depart(slot); // after the slot is published offline
                }
                break;
            }
        }
        owners[slot - first] = null;
        slots.returnParticipantSlot(slot);
    }

    /**
     * The backstop for a participant whose thread died while pinned: takes the slot offline so that
     * reclamation proceeds. Called for a straggling slot; returns whether it released it.
     */
    boolean releaseIfOwnerDead(int slot, long word) {
        if (!contains(slot)) {
            return false;
        }
        WeakReference<?> ref = owners[slot - first];
        Object owner = ref == null ? null : ref.get();
        if (owner instanceof Thread thread && thread.isAlive()) {
            return false;
        }
        if (byFlag) {
            // volatile CAS from the pinned word seen (the dead owner writes nothing more). The flag is
            // left alone: an IDLE slot is already quiescent, the offlining handshake takes it offline
            // later, and release() departs it once. Taking the flag offline here, in a second step,
            // could hit a NEW owner's flag: the Cleaner may release the slot and another thread
            // register and pin it between this CAS and that step, and the new owner would be pinned
            // but departed (uncounted): memory freed under it.
            return SharedRegion.casLong(slotOffset(slot), word, Epoch.IDLE);
        }
        // volatile CAS from the pinned word seen: fails if the slot moved on meanwhile
        if (SharedRegion.casLong(slotOffset(slot), word, Epoch.OFFLINE)) {
            domain.detector().depart(slot);
            return true;
        }
        return false;
    }

    /**
     * Membarrier read side: moves the slot's flag to OFFLINE (volatile CAS of the full word) and
     * departs if this call took it from ONLINE or OFFLINING (counted either way; an offliner whose
     * OFFLINING(n) this CAS replaced fails its commit and departs nothing).
     */
    private void takeFlagOffline(int slot, long slotOffset) {
        long flagOffset = slotOffset + DomainLayout.SLOT_FLAG;
        while (true) {
            long flag = SharedRegion.getLongVolatile(flagOffset);
            if (SlotFlag.state(flag) == SlotFlag.OFFLINE) {
                return;
            }
            if (SharedRegion.casLong(flagOffset, flag, SlotFlag.next(flag, SlotFlag.OFFLINE))) {
                domain.detector().depart(slot); // after the slot is published offline
                return;
            }
        }
    }

    /** The thread that registered the participant owning {@code slot}, if known and alive. */
    Thread ownerThread(int slot) {
        if (!contains(slot)) {
            return null;
        }
        WeakReference<?> ref = owners[slot - first];
        return ref != null && ref.get() instanceof Thread t ? t : null;
    }

    /** Cleaner action: must not reference the participant. */
    private record Release(ParticipantRegistry registry, int slot) implements Runnable {
        @Override
        public void run() {
            registry.release(slot);
        }
    }
}
