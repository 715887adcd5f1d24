package dev.nexus.numa;

import dev.nexus.epoch.NativeAllocator;
import dev.nexus.numa.internal.CpuList;
import dev.nexus.numa.internal.NumaBinding;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link NativeAllocator} whose memory is placed on NUMA nodes by a memory policy, so it can back
 * an {@code EpochDomain}'s {@code retire(segment, allocator)} or a slab ({@code SlabBuilder.allocator}).
 *
 * <ul>
 *   <li>{@link #onNode(int)}: strict, {@code MPOL_BIND} to one node (the kernel fails the page fault
 *       rather than place a page elsewhere);
 *   <li>{@link #preferred(int)}: {@code MPOL_PREFERRED}, that node while it has free memory;
 *   <li>{@link #interleaved(Collection)}: {@code MPOL_INTERLEAVE}, pages round-robin over the nodes;
 *   <li>{@link #local()}: the node the allocating thread runs on at the call ({@code MPOL_PREFERRED}
 *       to it).
 * </ul>
 *
 * <p><b>Placement before first touch.</b> Memory is an anonymous {@code mmap} (no page exists yet),
 * bound with {@code mbind}, and only then touched: by the caller, or at once with
 * {@link #withPrefault(boolean) prefault} (from a thread on the target node when the policy alone does
 * not force the node). {@code Arena.allocate} would zero-fill, placing every page before any policy.
 * Contents are zero when freshly mapped and unspecified when a block or a cached mapping is reused.
 *
 * <p><b>Small allocations</b> (up to 256 KiB, alignment up to the page size) are blocks of
 * power-of-two size classes cut from 2 MiB chunks bound by the same policy: they do not each take a
 * page. Larger ones get their own mapping, rounded up to whole pages (whole 2 MiB huge pages with
 * {@link #withHugePages(boolean)}), and {@code free} unmaps exactly what was mapped, or keeps the
 * mapping for reuse with {@link #withMappingCache(long)}.
 *
 * <p><b>Fallbacks, never a crash.</b> Asking for a node that this process may not use is an
 * {@link IllegalArgumentException} naming the allowed nodes. Without libnuma, with
 * {@code numa_available() < 0}, or where {@code mbind} is refused ({@code EPERM} in containers), the
 * allocator still works: it maps and hands out memory without {@code mbind},
 * {@link #isNodePlaced()} is false and {@link #placementPolicy()} says why. On a single-node machine
 * the policies are applied for real (all on node 0). Node numbers are checked against the topology
 * read when this module is first used (a cpuset changed afterwards is not seen).
 *
 * <p>Example: a table on node 1, first touched by a thread there, retired through an epoch domain.
 * <pre>{@code
 * NumaAllocator node1 = NumaAllocator.onNode(1);            // IllegalArgumentException if not allowed
 * MemorySegment table = node1.allocate(64 << 20, 4096);      // mapped and bound, no page yet
 * ExecutorService readers = NumaThreads.executor(1, 2);     // platform threads on node 1's CPUs
 * readers.submit(() -> table.fill((byte) 0)).get();          // the first touch, from node 1
 * assert Placement.check(table, 1).status() != PlacementCheck.Status.FAILED;
 * domain.retire(table, node1);                               // freed by the reclaimer, any thread
 * }</pre>
 *
 * <p>Thread-safe: {@code allocate} and {@code free} may be called from any threads, {@code free} on
 * another thread than {@code allocate} (an epoch domain's reclaimer). Small allocations take a lock
 * per size class; large ones are system calls ({@code mmap}, {@code mbind}; {@code munmap} on free),
 * none when the mapping cache serves them. Memory effects: a {@code free} of a block
 * happens-before an {@code allocate} that returns the same block (both take the size class's lock).
 */
public final class NumaAllocator implements NativeAllocator {

    /*
     * Implementation notes. Two paths: blocks of a ChunkPool (the fixed policy's pool, or one pool per
     * node for LOCAL) and one NodeMapper mapping per large allocation, kept in `large` by the address
     * handed out. `chunks` maps each chunk's start to the chunk, for free(): a segment whose address is
     * a key of `large` is a large one (its size must match), else the chunk below its address must
     * contain it. Both maps are concurrent: allocate and free take no allocator-wide lock; the block
     * bookkeeping is under the size class's lock (ChunkPool). Invariants: an address is in `large` iff
     * its mapping is handed out and not yet freed; `mappedBytes` is the sum of the lengths of the
     * mappings made and not unmapped (chunks, large, cached)
     * (updated after each map and before each unmap, so a racing reader may see it off by one mapping).
     */

    /** The kinds of policy, for descriptions. */
    private enum Kind { ON_NODE, PREFERRED, INTERLEAVED, LOCAL }

    private final NumaRuntime runtime;
    private final Kind kind;
    private final int[] nodes;
    private final String problem;
    private final long pageSize;
    private final NodeMapper mapper;
    private final ConcurrentSkipListMap<Long, ChunkPool.Chunk> chunks = new ConcurrentSkipListMap<>();
    private final Map<Long, Mapping> large = new ConcurrentHashMap<>();
    private final AtomicLong mappedBytes = new AtomicLong();
    /** The policy of every call, or null for {@link Kind#LOCAL}, whose policy follows the caller. */
    private final MemoryPolicy fixedPolicy;
    /** The chunks of {@link #fixedPolicy}, or null for {@link Kind#LOCAL}. */
    private final ChunkPool fixedPool;
    /** For {@link Kind#LOCAL}: one pool per node, created on first use. */
    private final Map<Integer, ChunkPool> localPools = new ConcurrentHashMap<>();

    /** Freed large mappings kept for reuse, or null (the default: free unmaps at once). */
    private final MappingCache cache;

    private NumaAllocator(NumaRuntime runtime, Kind kind, int[] nodes, boolean prefault, boolean hugePages,
            long cacheBytes) {
        this.runtime = runtime;
        this.kind = kind;
        this.nodes = nodes;
        this.problem = runtime.placementProblem();
        this.pageSize = runtime.binding().pageSize();
        this.mapper = new NodeMapper(runtime, prefault, hugePages);
        this.cache = cacheBytes > 0 ? new MappingCache(cacheBytes) : null;
        this.fixedPolicy = kind == Kind.LOCAL ? null : policyForCall();
        this.fixedPool = kind == Kind.LOCAL ? null : new ChunkPool(mapper, fixedPolicy, chunks, mappedBytes);
    }

    /**
     * Strict placement on one node: {@code mbind(MPOL_BIND)}.
     *
     * @param node a node this process may use ({@link NumaTopology#allowedNodes()})
     * @return a new allocator
     * @throws IllegalArgumentException if {@code node} is not allowed; the message names the allowed nodes
     */
    public static NumaAllocator onNode(int node) {
        return onNode(NumaRuntime.system(), node);
    }

    /**
     * Preferred placement on one node: {@code mbind(MPOL_PREFERRED)}; other nodes when it is full.
     *
     * @param node a node this process may use
     * @return a new allocator
     * @throws IllegalArgumentException if {@code node} is not allowed; the message names the allowed nodes
     */
    public static NumaAllocator preferred(int node) {
        return preferred(NumaRuntime.system(), node);
    }

    /**
     * Pages interleaved round-robin over {@code nodes}: {@code mbind(MPOL_INTERLEAVE)}.
     *
     * @param nodes distinct nodes this process may use, at least one
     * @return a new allocator
     * @throws IllegalArgumentException if {@code nodes} is empty, has duplicates, or holds a node that
     *     is not allowed
     */
    public static NumaAllocator interleaved(Collection<Integer> nodes) {
        return interleaved(NumaRuntime.system(), nodes);
    }

    /**
     * The node the allocating thread runs on at each call: {@code mbind(MPOL_PREFERRED)} to that node
     * (the first allowed node if the kernel does not say). Pair it with threads bound by
     * {@link NumaThreads}, or the thread may move on after the call.
     *
     * @return a new allocator
     */
    public static NumaAllocator local() {
        return local(NumaRuntime.system());
    }

    static NumaAllocator onNode(NumaRuntime runtime, int node) {
        return new NumaAllocator(runtime, Kind.ON_NODE, new int[] {checkAllowed(runtime, node)}, false, false, 0);
    }

    static NumaAllocator preferred(NumaRuntime runtime, int node) {
        return new NumaAllocator(runtime, Kind.PREFERRED, new int[] {checkAllowed(runtime, node)}, false, false, 0);
    }

    static NumaAllocator interleaved(NumaRuntime runtime, Collection<Integer> nodes) {
        Objects.requireNonNull(nodes, "nodes");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("interleaved needs at least one node: nodes=" + nodes + ", allowed nodes="
                    + runtime.topology().allowedNodes());
        }
        int[] set = nodes.stream().mapToInt(n -> checkAllowed(runtime, Objects.requireNonNull(n, "node"))).sorted().toArray();
        if (Arrays.stream(set).distinct().count() != set.length) {
            throw new IllegalArgumentException("interleaved nodes must be distinct: nodes=" + nodes);
        }
        return new NumaAllocator(runtime, Kind.INTERLEAVED, set, false, false, 0);
    }

    static NumaAllocator local(NumaRuntime runtime) {
        return new NumaAllocator(runtime, Kind.LOCAL, new int[0], false, false, 0);
    }

    private static int checkAllowed(NumaRuntime runtime, int node) {
        if (!runtime.topology().isAllowed(node)) {
            throw notAllowed(runtime.topology(), node);
        }
        return node;
    }

    static IllegalArgumentException notAllowed(NumaTopology topology, int node) {
        return new IllegalArgumentException("node " + node + " is not a node this process may use: allowed nodes="
                + topology.allowedNodes() + ", machine nodes=" + topology.nodes());
    }

    /**
     * The same policy with prefault on or off: with it, every page of a new mapping (a large
     * allocation or a chunk) is touched before it is handed out, from a platform thread bound to the
     * target node unless the policy ({@code MPOL_BIND}, {@code MPOL_INTERLEAVE}) places pages by
     * itself or the caller already runs there. Default: off (pages are placed on the caller's first
     * touch).
     *
     * @param enabled whether to prefault
     * @return a new allocator (with its own chunks) of the same policy
     */
    public NumaAllocator withPrefault(boolean enabled) {
        return new NumaAllocator(runtime, kind, nodes, enabled, mapper.hugePages(), cacheBytes());
    }

    /**
     * The same policy with transparent huge pages asked for or not: every mapping of at least 2 MiB
     * (large allocations, and the 2 MiB chunks of small ones) is aligned to and rounded up to 2 MiB
     * and advised with {@code madvise(MADV_HUGEPAGE)} after {@code mbind}, before the first touch. Whether the kernel grants them depends on its THP
     * settings ({@code /sys/kernel/mm/transparent_hugepage/enabled}); a refusal leaves base pages and
     * is not an error. Default: off.
     *
     * @param enabled whether to ask
     * @return a new allocator (with its own chunks) of the same policy
     */
    public NumaAllocator withHugePages(boolean enabled) {
        return new NumaAllocator(runtime, kind, nodes, mapper.prefault(), enabled, cacheBytes());
    }

    /**
     * The same policy with a cache of freed large mappings: {@code free} of a large allocation keeps
     * its mapping (still bound by the policy, its pages still placed and touched) while the cache holds
     * at most {@code maxBytes}, and a later allocation of the same mapped length and alignment (and,
     * for {@code local}, the same node) reuses it without {@code mmap}, {@code mbind} or page faults.
     * A reused mapping holds what its previous user wrote. Cached mappings count in
     * {@link #mappedBytes()}. Default: 0, no cache ({@code free} unmaps at once).
     *
     * @param maxBytes the most bytes of mappings kept, {@code >= 0}
     * @return a new allocator (with its own chunks and cache) of the same policy
     * @throws IllegalArgumentException if {@code maxBytes < 0}
     */
    public NumaAllocator withMappingCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("mapping cache size must be >= 0: maxBytes=" + maxBytes);
        }
        return new NumaAllocator(runtime, kind, nodes, mapper.prefault(), mapper.hugePages(), maxBytes);
    }

    private long cacheBytes() {
        return cache == null ? 0 : cache.capacity();
    }

    /**
     * Bytes of freed large mappings held for reuse ({@link #withMappingCache(long)}).
     *
     * @return bytes, 0 without a cache
     */
    public long cachedBytes() {
        return cache == null ? 0 : cache.cachedBytes();
    }

    /**
     * Whether memory from this allocator is placed by its policy ({@code mbind} works here). False in
     * the fallbacks: no libnuma, {@code numa_available() < 0}, {@code mbind} refused.
     *
     * @return true if placement is applied
     */
    public boolean isNodePlaced() {
        return problem == null;
    }

    /**
     * What this allocator does, for logs and reports: e.g. {@code "MPOL_BIND to node 0"}, or
     * {@code "not node-placed (mbind refused: EPERM (Operation not permitted)...): plain anonymous
     * mmap, pages land where they are first touched"}.
     *
     * @return a description of the policy, with the reason for a fallback
     */
    public String placementPolicy() {
        String policy = switch (kind) {
            case ON_NODE -> "MPOL_BIND to node " + nodes[0];
            case PREFERRED -> "MPOL_PREFERRED node " + nodes[0];
            case INTERLEAVED -> "MPOL_INTERLEAVE over nodes " + CpuList.format(nodes);
            case LOCAL -> "local: MPOL_PREFERRED to the node of the allocating thread";
        };
        String options = (mapper.prefault() ? ", prefault" : "") + (mapper.hugePages() ? ", huge pages advised" : "")
                + (cache != null ? ", mapping cache " + cache.capacity() + " bytes" : "");
        return problem == null ? policy + options
                : "not node-placed (" + problem + "): plain anonymous mmap, pages land where they are first touched"
                        + " (asked for " + policy + options + ")";
    }

    /**
     * The nodes of the policy: one for {@code onNode}/{@code preferred}, the interleave set, or
     * empty for {@code local}.
     *
     * @return node numbers, ascending
     */
    public List<Integer> nodes() {
        return Arrays.stream(nodes).boxed().toList();
    }

    /**
     * Bytes currently mapped by this allocator: chunks plus large mappings (page-rounded, with any
     * alignment slack). Chunks stay mapped while they hold a block, and one empty chunk per size class
     * may stay for reuse.
     *
     * @return mapped bytes
     */
    public long mappedBytes() {
        return mappedBytes.get();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The memory is bound by this allocator's policy before anything touches it.
     *
     * @throws OutOfMemoryError if {@code mmap} or {@code mbind} reports {@code ENOMEM}, or a strict
     *     node has no memory when the chunk is prefaulted
     * @throws NumaException if {@code mbind} fails for another reason after it was found to work
     */
    @Override
    public MemorySegment allocate(long bytes, long alignment) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0: bytes=" + bytes);
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: alignment=" + alignment);
        }
        MemoryPolicy policy = fixedPolicy != null ? fixedPolicy : policyForCall();
        long block = ChunkPool.blockSize(bytes, alignment, pageSize);
        if (block > 0) {
            ChunkPool pool = fixedPool != null ? fixedPool
                    : localPools.computeIfAbsent(policy.nodes()[0], k -> new ChunkPool(mapper, policy, chunks, mappedBytes));
            return MemorySegment.ofAddress(pool.allocate(block)).reinterpret(bytes);
        }
        Mapping cached = cache == null ? null : cache.take(new MappingCache.Key(mapper.mappedLength(bytes, alignment),
                mapper.mappedAlignment(bytes, alignment), policy.singleNode()));
        Mapping mapping;
        if (cached != null) {
            mapping = cached.reuse(bytes); // stays counted in mappedBytes
        } else {
            mapping = mapper.map(bytes, alignment, policy);
            mappedBytes.addAndGet(mapping.length());
        }
        large.put(mapping.address(), mapping);
        return MemorySegment.ofAddress(mapping.address()).reinterpret(bytes);
    }

    /**
     * {@inheritDoc}
     *
     * <p>May be called from any thread. A large allocation is unmapped with the length that was mapped.
     */
    @Override
    public void free(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative() || segment.address() == 0) {
            throw new IllegalArgumentException("not a segment this NUMA allocator returned (heap or NULL): " + segment);
        }
        long address = segment.address();
        Mapping mapping = large.get(address);
        if (mapping != null) {
            if (mapping.bytes() != segment.byteSize()) {
                throw new IllegalArgumentException("not a segment this NUMA allocator returned (size differs, a slice?):"
                        + " address=0x" + Long.toHexString(address) + ", bytes=" + segment.byteSize()
                        + ", allocated=" + mapping.bytes());
            }
            if (!large.remove(address, mapping)) {
                throw alreadyFreed(address);
            }
            if (cache == null || !cache.offer(mapping)) {
                mappedBytes.addAndGet(-mapping.length());
                mapper.unmap(mapping);
            }
            return;
        }
        Map.Entry<Long, ChunkPool.Chunk> entry = chunks.floorEntry(address);
        if (entry == null || !entry.getValue().contains(address)) {
            throw alreadyFreed(address);
        }
        entry.getValue().free(address, segment.byteSize());
    }

    private static IllegalArgumentException alreadyFreed(long address) {
        return new IllegalArgumentException("segment already freed, or not allocated by this NUMA allocator: address=0x"
                + Long.toHexString(address));
    }

    /** The policy of this call: fixed, except for {@code local}, which follows the calling thread. */
    MemoryPolicy policyForCall() {
        boolean placed = problem == null;
        return switch (kind) {
            case ON_NODE -> new MemoryPolicy(NumaBinding.MPOL_BIND, nodes, placed);
            case PREFERRED -> new MemoryPolicy(NumaBinding.MPOL_PREFERRED, nodes, placed);
            case INTERLEAVED -> new MemoryPolicy(NumaBinding.MPOL_INTERLEAVE, nodes, placed);
            case LOCAL -> {
                NumaTopology topology = runtime.topology();
                int node = topology.currentNode();
                if (!topology.isAllowed(node)) {
                    node = topology.allowedNodes().getFirst();
                }
                yield new MemoryPolicy(NumaBinding.MPOL_PREFERRED, new int[] {node}, placed);
            }
        };
    }

    @Override
    public String toString() {
        return "NumaAllocator[" + placementPolicy() + "]";
    }
}
