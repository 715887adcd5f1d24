package dev.nexus.zerocopy.internal.arrow;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a struct's {@code private_data} leads to. Every struct we fill (an exported array node, schema
 * node or stream) gets a fresh id, never reused, written into its {@code private_data}; a callback reads
 * the id from the struct it receives and finds its state here. The struct's <em>address</em> is never
 * used: consumers move structs (Arrow Java copies an {@code ArrowArray} into its own struct and marks
 * ours released), so the callback may receive an address we never filled, but the moved struct carries
 * our id.
 *
 * <p>Idempotence: a release {@linkplain #take takes} the id out of the map, atomically; a second
 * release of the same struct (a consumer that kept the raw function pointer) finds nothing and does
 * nothing. Ids are not reused, so a stale id never finds someone else's state.
 *
 * <p>Memory effects: the {@code register} of an id happens-before any {@code peek} or {@code take}
 * that finds it (a {@link ConcurrentHashMap} put and get), so a callback on a foreign thread sees the
 * state the exporting thread built before it published the struct.
 */
public final class PrivateData {

    private static final ConcurrentHashMap<Long, Object> STATES = new ConcurrentHashMap<>();
    /** Ids start at 1: a {@code private_data} of 0 (NULL) is never ours. */
    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private PrivateData() {
    }

    /**
     * Registers a state under a fresh id.
     *
     * @param state the state a callback will find
     * @return the id to write into {@code private_data}, never 0
     */
    public static long register(Object state) {
        long id = NEXT_ID.getAndIncrement();
        STATES.put(id, state);
        return id;
    }

    /**
     * The state of an id, left registered.
     *
     * @param id a {@code private_data} value
     * @return the state, or {@code null} if the id is not (or no longer) registered
     */
    public static Object peek(long id) {
        return STATES.get(id);
    }

    /**
     * Removes and returns the state of an id: the one call that wins a release.
     *
     * @param id a {@code private_data} value
     * @return the state, or {@code null} if it was taken before or never registered
     */
    public static Object take(long id) {
        return STATES.remove(id);
    }

    /**
     * Removes the state of an id if it is {@code state}: the one call that wins a release, for a caller
     * that checked the state's type first.
     *
     * @param id a {@code private_data} value
     * @param state the state seen by {@link #peek}
     * @return whether this call removed it
     */
    public static boolean take(long id, Object state) {
        return STATES.remove(id, state);
    }

    /**
     * Ids registered and not yet taken: live exported nodes and streams.
     *
     * @return the count
     */
    public static int size() {
        return STATES.size();
    }
}
