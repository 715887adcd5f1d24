package dev.nexus.epoch.internal;

import java.util.Objects;

/**
 * The grace-period side's half of a domain's read side: on the membarrier read side, the
 * {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)} calls that stand in for the fence readers no
 * longer execute; on the CAS read side, nothing (the readers' pin CAS is the fence).
 *
 * <p>Where the calls go (TLA+ actions of {@code tla/QuiescenceTree.tla}, "THE MEMBARRIER READ
 * SIDE"): before fqs reads any slot ({@code AMb}), between an offliner's flag store and its slot
 * read ({@code AOffMb}), between sealing a bag and reading its tag ({@code WSealMb}), before
 * {@code synchronize()} reads its target epoch, and between close's closed bit and its slot scan.
 *
 * <p>Thread-safe and immutable.
 */
public final class ReadBarrier {

    private static final ReadBarrier CAS = new ReadBarrier(null);

    private final Membarrier membarrier;

    private ReadBarrier(Membarrier membarrier) {
        this.membarrier = membarrier;
    }

    /** The CAS read side: readers pin with a locked instruction, so {@link #membarrier()} does nothing. */
    public static ReadBarrier cas() {
        return CAS;
    }

    /**
     * The membarrier read side.
     *
     * @param membarrier a membarrier whose status is supported
     * @return the read side that calls it
     * @throws IllegalArgumentException if {@code membarrier} is not supported
     */
    public static ReadBarrier membarrier(Membarrier membarrier) {
        Objects.requireNonNull(membarrier, "membarrier");
        if (!membarrier.status().supported()) {
            throw new IllegalArgumentException("the membarrier read side needs a supported membarrier: "
                    + membarrier.status());
        }
        return new ReadBarrier(membarrier);
    }

    /** Whether readers pin with an opaque store (and participant slots go offline by their flag). */
    public boolean isMembarrier() {
        return membarrier != null;
    }

    /**
     * On the membarrier read side, a process-wide barrier: when it returns, every pin store a
     * reader issued before it is visible, and every load a reader issues after it sees the caller's
     * earlier stores. Nothing on the CAS read side.
     */
    public void membarrier() {
        if (membarrier != null) {
            membarrier.privateExpedited();
        }
    }
}
