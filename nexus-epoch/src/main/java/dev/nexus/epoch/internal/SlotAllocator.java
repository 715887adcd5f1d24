package dev.nexus.epoch.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.atomic.MpmcAtomicArrayQueue;

/**
 * Hands out slots: the guard pool's active prefix {@code [0, poolActive)}, which doubles when pinned
 * guards crowd it, and participant slots {@code [poolCapacity, capacity)}, leased one per
 * {@code Participant} and recycled through a JCTools queue.
 *
 * <p>Progress: lock-free.
 */
public final class SlotAllocator {

    private final int poolCapacity;
    private final int participantCapacity;
    private final AtomicInteger participantHighWater = new AtomicInteger();
    private final MpmcAtomicArrayQueue<Integer> freeParticipantSlots;

    /**
     * Size of the pool's active prefix: a power of two, only grows.
     * Invariants: {@code initialPool <= poolActive <= poolCapacity}. Non-invariants: a racing reader
     * may see an older, smaller value; probing the smaller prefix is still correct.
     */
    private volatile int poolActive;

    /** Allocator over a layout's slots, with the pool's active prefix starting at {@code initialPool}. */
    public SlotAllocator(DomainLayout layout, int initialPool) {
        this.poolCapacity = layout.poolCapacity();
        this.participantCapacity = layout.capacity() - poolCapacity;
        this.poolActive = Math.min(initialPool, poolCapacity);
        this.freeParticipantSlots = new MpmcAtomicArrayQueue<>(Math.max(2, participantCapacity));
    }

    /** The pool's active prefix; pooled pins probe {@code [0, poolActive)}. */
    public int poolActive() {
        return poolActive;
    }

    /**
     * Doubles the active prefix if it is still {@code seen}; returns whether the pool can offer more
     * slots now (false when it is already at capacity).
     */
    public boolean growPool(int seen) {
        int current = poolActive;
        if (current != seen) {
            return true;
        }
        if (current >= poolCapacity) {
            return false;
        }
        int next = Math.min(poolCapacity, current * 2);
        raisePoolActive(next);
        return true;
    }

    /** Raises {@code poolActive} to at least {@code next} (CAS loop; it only grows). */
    private void raisePoolActive(int next) {
        int current;
        do {
            current = poolActive;
            if (current >= next) {
                return;
            }
        } while (!POOL_ACTIVE.compareAndSet(this, current, next)); // volatile CAS: only grows
    }

    /** Capacity of the pool. */
    public int poolCapacity() {
        return poolCapacity;
    }

    /** One past the highest participant slot ever leased, relative to {@code poolCapacity}. */
    public int participantHighWater() {
        return participantHighWater.get();
    }

    /** Leases a participant slot; returns its index, or -1 when every participant slot is leased. */
    public int leaseParticipantSlot() {
        Integer recycled = freeParticipantSlots.poll();
        if (recycled != null) {
            return recycled;
        }
        while (true) {
            int high = participantHighWater.get();
            if (high >= participantCapacity) {
                recycled = freeParticipantSlots.poll();
                return recycled == null ? -1 : recycled;
            }
            if (participantHighWater.compareAndSet(high, high + 1)) {
                return poolCapacity + high;
            }
        }
    }

    /** Returns a participant slot (already {@code FREE}) for reuse. */
    public void returnParticipantSlot(int slot) {
        boolean offered = freeParticipantSlots.offer(slot);
        assert offered : "free-slot queue overflow: slot " + slot;
    }

    // VarHandle mechanics
    private static final VarHandle POOL_ACTIVE;

    static {
        try {
            POOL_ACTIVE = MethodHandles.lookup()
                    .findVarHandle(SlotAllocator.class, "poolActive", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
