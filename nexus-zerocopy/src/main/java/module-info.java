/**
 * Nexus zerocopy: one off-heap batch in the Arrow columnar layout, seen as columns, a stream and a
 * graph, handed to Arrow consumers through the C Data Interface and to other processes through
 * {@code /dev/shm}, without copying; its memory goes back through an epoch domain. Exports the API
 * packages only; {@code dev.nexus.zerocopy.internal} stays hidden. Requires {@code dev.nexus.epoch}
 * transitively, as its types ({@code EpochDomain}, {@code NativeAllocator}) appear in this module's
 * API.
 */
module dev.nexus.zerocopy {
    requires transitive dev.nexus.epoch;

    exports dev.nexus.zerocopy;
    exports dev.nexus.zerocopy.arrow;
}
