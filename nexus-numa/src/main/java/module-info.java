/**
 * Nexus NUMA: node-local off-heap memory through libnuma, reached with JNA. Exports the API package
 * only; {@code dev.nexus.numa.internal} (the libnuma and system-call binding) stays hidden, and no JNA
 * type appears in the API. Requires {@code dev.nexus.epoch} transitively, as its
 * {@code NativeAllocator} is the type of every allocator here.
 *
 * <p>JNA calls native code: on the module path run with
 * {@code --enable-native-access=com.sun.jna} (JNA's module), on the class path with
 * {@code --enable-native-access=ALL-UNNAMED}.
 */
module dev.nexus.numa {
    requires transitive dev.nexus.epoch;
    requires com.sun.jna;

    exports dev.nexus.numa;
}
