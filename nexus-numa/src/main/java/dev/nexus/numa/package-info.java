/**
 * Node-local off-heap memory on NUMA machines, through libnuma (reached with JNA; no JNA type in this
 * API).
 *
 * <ul>
 *   <li>{@link dev.nexus.numa.NumaTopology}: the nodes, their CPUs, distances and memory, and what
 *       this process may use of them (its cpuset); whether NUMA is usable here and, if not, why.</li>
 *   <li>{@link dev.nexus.numa.NumaAllocator}: {@link dev.nexus.epoch.NativeAllocator}s whose memory
 *       is bound to nodes ({@code mbind}) before its first touch: strict, preferred, interleaved,
 *       local. They work with {@code EpochDomain.retire(segment, allocator)} and as a slab's
 *       allocator.</li>
 *   <li>{@link dev.nexus.numa.Placement}: where a segment's pages are now ({@code move_pages}), and
 *       a check whose result says "skipped" rather than "passed" where it cannot tell.</li>
 *   <li>{@link dev.nexus.numa.NumaThreads}: platform threads bound to a node's CPUs. Virtual threads
 *       cannot be bound: their carriers belong to the JDK's scheduler.</li>
 * </ul>
 *
 * <h2>Fallbacks</h2>
 * Nothing here crashes the JVM or fails where a fallback exists. Without libnuma, with
 * {@code numa_available() < 0}, or where {@code mbind} is refused ({@code EPERM}, common in
 * containers), allocators hand out plain anonymous memory and report
 * {@link dev.nexus.numa.NumaAllocator#isNodePlaced() isNodePlaced() == false} with the reason;
 * {@link dev.nexus.numa.Placement#check} answers "skipped". A request that cannot be met anywhere (a
 * node this process may not use) is an {@link java.lang.IllegalArgumentException} naming the allowed
 * nodes; {@link dev.nexus.numa.Placement#of} without libnuma is an
 * {@link java.lang.UnsupportedOperationException}; failures of system calls carry the call, errno and
 * its meaning ({@link dev.nexus.numa.NumaException}).
 *
 * <h2>Native access</h2>
 * JNA links the native calls. On the class path run with {@code --enable-native-access=ALL-UNNAMED};
 * on the module path with {@code --enable-native-access=com.sun.jna,dev.nexus.numa}: JNA (its automatic
 * module name) loads its native library, and this module reinterprets native addresses as segments.
 *
 * <h2>Memory effects</h2>
 * These classes add no happens-before edge beyond those of {@code dev.nexus.epoch} (retiring a
 * segment happens-before its {@code free}) and of the size class lock taken by both {@code free} and
 * {@code allocate} of a block.
 */
package dev.nexus.numa;
