package dev.nexus.epoch;

/**
 * How readers publish a pin, and so what the grace-period side pays in their place. Both are
 * correct; they differ in where the store→load fence of the protocol is paid.
 *
 * <p>Pooled guards ({@link EpochDomain#pin()}) lease their slot with a compare-and-swap on either
 * read side (the lease needs an atomic read-modify-write, a locked instruction that is also the
 * fence); the read side decides how {@link Participant} guards pin.
 *
 * @see EpochDomain.Builder#readSide(ReadSide)
 * @see EpochStats#readSide()
 */
public enum ReadSide {

    /**
     * Participants pin with an opaque store of their slot and no fence or locked instruction; the
     * grace-period side calls Linux's {@code membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)} instead
     * (a few microseconds): once per batch of sealed bags of retired items (up to eight bags, taken
     * by a reclaiming step before it reads their tag), when it takes an idle participant offline,
     * in {@code synchronize()} and in {@code close()}; grace-period detection itself reads slots
     * without one, and retire and defer issue no fence. Needs Linux 4.14 or later and a JVM whose
     * compiler keeps the reader's loads after an opaque store (HotSpot: {@code docs/memory-model.md}).
     */
    MEMBARRIER,

    /**
     * Participants pin with a compare-and-swap of their slot (a locked instruction, which is the
     * store→load fence), and retire issues a full fence; no system call. Works everywhere.
     */
    CAS,

    /**
     * {@link #MEMBARRIER} where {@code membarrier} is supported, the processor is x86-64 (the
     * total-store-order machine the protocol's model checks) and the JVM is HotSpot compiling with
     * its own C1/C2 (not OpenJ9, not a JVMCI compiler such as Graal); {@link #CAS} elsewhere. The
     * default.
     */
    AUTO
}
