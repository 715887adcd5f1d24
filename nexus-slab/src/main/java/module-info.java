/**
 * Nexus slab: a generational slab of fixed-size off-heap slots whose removed slots are reused only
 * after a grace period of an epoch domain. Exports the API package only;
 * {@code dev.nexus.slab.internal} stays hidden. Requires {@code dev.nexus.epoch} transitively, as
 * its types ({@code EpochDomain}, {@code NativeAllocator}) appear in this module's API.
 */
module dev.nexus.slab {
    requires transitive dev.nexus.epoch;

    exports dev.nexus.slab;
}
