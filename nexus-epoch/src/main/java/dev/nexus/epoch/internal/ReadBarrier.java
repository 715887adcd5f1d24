package dev.nexus.epoch.internal;

import java.util.Objects;

/**
 * The grace-period side's half of a domain's read side: on the membarrier read side, the
 * {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)} calls that stand in for the fence readers no
 * longer execute; on the CAS read side, nothing (the readers' pin CAS is the fence).
 *
 * <p>Where the calls go (TLA+ actions of {@code tla/QuiescenceTree.tla}, "THE MEMBARRIER READ
 * SIDE"): once per batch of sealed bags, between taking them and reading their tag ({@code RecMb}),
 * between an offliner's flag store and its slot read ({@code AOffMb}), before
 * {@code synchronize()} reads its target epoch, and between close's closed bit and its slot scan.
 *
 * <p>Thread-safe and immutable.
 */
public final class ReadBarrier {

    private static final ReadBarrier CAS = new ReadBarrier(null);

    /** The system call, or null on the CAS read side. */
    private final Runnable membarrier;

    private ReadBarrier(Runnable membarrier) {
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
        return new ReadBarrier(membarrier::privateExpedited);
    }

    /**
     * Test seam: a membarrier read side whose barrier runs {@code call} instead of the system call
     * (to make it fail on purpose). Never for a domain: it gives no ordering.
     *
     * @param call what {@link #membarrier()} runs
     * @return a read side that reports itself as the membarrier read side
     */
    static ReadBarrier callingForTests(Runnable call) {
        return new ReadBarrier(Objects.requireNonNull(call, "call"));
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
            membarrier.run();
        }
    }
}
