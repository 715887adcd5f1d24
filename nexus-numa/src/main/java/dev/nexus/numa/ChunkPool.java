package dev.nexus.numa;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The small-allocation path of a {@link NumaAllocator} for one memory policy: blocks of power-of-two
 * size classes ({@link #MIN_BLOCK} to {@link #MAX_BLOCK} bytes) cut from {@link #CHUNK}-byte (2 MiB) chunks,
 * each chunk one mapping bound by the policy before its first touch. So a 64-byte allocation costs 64
 * bytes of a node-bound chunk, not a page.
 *
 * <p>Thread-safe: each size class has its own lock, held for allocate and free; {@code free} may come
 * from any thread (the epoch reclaimer's). Blocks are naturally aligned to their size up to the page
 * size (chunks are page-aligned, block sizes are powers of two).
 */
final class ChunkPool {

    /** Bytes of each chunk. */
    static final long CHUNK = 2L << 20;
    /** The smallest block: 16 bytes, the alignment {@code malloc} gives. */
    static final long MIN_BLOCK = 16;
    /** The largest block served from chunks; larger allocations get their own mapping. */
    static final long MAX_BLOCK = 256 * 1024;

    private static final int CLASSES = Long.numberOfTrailingZeros(MAX_BLOCK) - Long.numberOfTrailingZeros(MIN_BLOCK) + 1;

    /*
     * Implementation notes. Each size class keeps the chunks with a free block in `partial`; a chunk
     * records its used blocks in a BitSet and their count. Allocate takes the last partial chunk (a
     * new one when none is left), sets its lowest clear bit at or above `hint`; a chunk that becomes
     * full leaves `partial`. Free clears the bit (a clear bit is a double free: rejected); a full chunk
     * that gets a free block re-enters `partial`; a chunk that becomes empty is unmapped unless it is
     * the class's only partial chunk (so a free/allocate loop does not map and unmap each time).
     * Invariant, under the class lock: a chunk is in `partial` iff used < blocks; every chunk of
     * `owner.chunks` is mapped.
     */

    private final NodeMapper mapper;
    private final MemoryPolicy policy;
    private final ConcurrentSkipListMap<Long, Chunk> chunks;
    private final AtomicLong mappedBytes;
    private final SizeClass[] classes = new SizeClass[CLASSES];

    ChunkPool(NodeMapper mapper, MemoryPolicy policy, ConcurrentSkipListMap<Long, Chunk> chunks,
            AtomicLong mappedBytes) {
        this.mapper = mapper;
        this.policy = policy;
        this.chunks = chunks;
        this.mappedBytes = mappedBytes;
        for (int i = 0; i < CLASSES; i++) {
            classes[i] = new SizeClass(MIN_BLOCK << i);
        }
    }

    /** The block size serving {@code bytes} at {@code alignment}, or -1 if too large for a chunk. */
    static long blockSize(long bytes, long alignment, long pageSize) {
        long size = Math.max(Math.max(bytes, MIN_BLOCK), alignment);
        if (size > MAX_BLOCK || alignment > pageSize) {
            return -1;
        }
        return Long.highestOneBit(size - 1) << 1;
    }

    /** A block of {@code blockSize} bytes ({@link #blockSize}); maps a chunk if needed. */
    long allocate(long blockSize) {
        return classes[Long.numberOfTrailingZeros(blockSize) - Long.numberOfTrailingZeros(MIN_BLOCK)].allocate();
    }

    /** One chunk: a mapping cut into blocks of one size class. Guarded by its class's lock. */
    static final class Chunk {
        final Mapping mapping;
        final SizeClass owner;
        final int blocks;
        final BitSet used;
        int usedCount;
        int hint;

        Chunk(Mapping mapping, SizeClass owner) {
            this.mapping = mapping;
            this.owner = owner;
            this.blocks = (int) (CHUNK / owner.blockSize);
            this.used = new BitSet(blocks);
        }

        long start() {
            return mapping.address();
        }

        boolean contains(long address) {
            return address >= start() && address < start() + CHUNK;
        }

        long blockSize() {
            return owner.blockSize;
        }

        /**
         * Frees the block at {@code address}.
         *
         * @throws IllegalArgumentException if {@code address} is not the start of a block, the block is
         *     not in use, or {@code bytes} exceeds the block
         */
        void free(long address, long bytes) {
            owner.free(this, address, bytes);
        }
    }

    /** The chunks of one block size. */
    final class SizeClass {
        final long blockSize;
        private final List<Chunk> partial = new ArrayList<>();

        SizeClass(long blockSize) {
            this.blockSize = blockSize;
        }

        synchronized long allocate() {
            if (partial.isEmpty()) {
                Mapping mapping = mapper.map(CHUNK, 1, policy); // page-aligned: blocks are aligned to min(size, page)
                Chunk chunk = new Chunk(mapping, this);
                chunks.put(chunk.start(), chunk);
                mappedBytes.addAndGet(mapping.length());
                partial.add(chunk);
            }
            Chunk chunk = partial.getLast();
            int index = chunk.used.nextClearBit(chunk.hint);
            assert index < chunk.blocks : "a partial chunk has a free block";
            chunk.used.set(index);
            chunk.hint = index + 1;
            if (++chunk.usedCount == chunk.blocks) {
                partial.removeLast();
            }
            return chunk.start() + index * blockSize;
        }

        synchronized void free(Chunk chunk, long address, long bytes) {
            long offset = address - chunk.start();
            if (offset % blockSize != 0) {
                throw new IllegalArgumentException("not a segment this NUMA allocator returned (inside a "
                        + blockSize + "-byte block, not at its start): address=0x" + Long.toHexString(address));
            }
            int index = (int) (offset / blockSize);
            if (!chunk.used.get(index) || chunks.get(chunk.start()) != chunk) {
                throw new IllegalArgumentException("segment already freed (or never allocated) by this NUMA"
                        + " allocator: address=0x" + Long.toHexString(address) + ", block=" + blockSize + " bytes");
            }
            if (bytes > blockSize) {
                throw new IllegalArgumentException("not a segment this NUMA allocator returned (larger than its "
                        + blockSize + "-byte block): address=0x" + Long.toHexString(address) + ", bytes=" + bytes);
            }
            chunk.used.clear(index);
            chunk.hint = Math.min(chunk.hint, index);
            if (chunk.usedCount-- == chunk.blocks) {
                partial.add(chunk);
            }
            if (chunk.usedCount == 0 && partial.size() > 1) {
                partial.remove(chunk);
                chunks.remove(chunk.start(), chunk);
                mappedBytes.addAndGet(-chunk.mapping.length());
                mapper.unmap(chunk.mapping);
            }
        }
    }
}
