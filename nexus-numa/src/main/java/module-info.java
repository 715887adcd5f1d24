/**
 * Nexus NUMA: node-local off-heap memory through libnuma, reached with JNA. Exports the API package
 * only; {@code dev.nexus.numa.internal} (the libnuma and system-call binding) stays hidden, and no JNA
 * type appears in the API. Requires {@code dev.nexus.epoch} transitively, as its
 * {@code NativeAllocator} is the type of every allocator here.
 *
 * <p>Native access: JNA (automatic module {@code com.sun.jna}) loads its native library, and this
 * module reinterprets native addresses as segments; on the module path run with
 * {@code --enable-native-access=com.sun.jna,dev.nexus.numa}, on the class path with
 * {@code --enable-native-access=ALL-UNNAMED}.
 */
module dev.nexus.numa {
    requires transitive dev.nexus.epoch;
    requires com.sun.jna;

    exports dev.nexus.numa;
}
