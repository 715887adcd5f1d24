package dev.nexus.zerocopy.internal.arrow;

import dev.nexus.epoch.NativeAllocator;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The native memory one export or import owns besides the batch itself: our structs (child
 * {@code ArrowArray}s and {@code ArrowSchema}s), {@code buffers}/{@code children} pointer arrays,
 * format and name strings, re-based bitmaps of a slice. A bump allocator over chunks from
 * {@link NativeAllocator#malloc()}: a record batch of a few columns costs one {@code malloc}, and
 * {@link #free()} gives everything back at once when the consumer releases the export.
 *
 * <p>Chunks come from {@code malloc}, so they have global scope: the consumer reads them, and the
 * release callback frees them, on any thread. Not thread-safe: filled by the exporting thread,
 * freed by the one release that drops the last node; the hand-off between the two is the
 * {@link PrivateData} registry (a {@code ConcurrentHashMap} put happens-before the get that finds it).
 */
public final class SideMemory {

    /** Bytes of a regular chunk; a larger request gets a chunk of its own. */
    static final long CHUNK_BYTES = 4096;
    /** Alignment of every chunk: enough for bitmaps (64, as Arrow recommends) and structs. */
    static final long CHUNK_ALIGNMENT = 64;

    private final NativeAllocator allocator;
    private final List<MemorySegment> chunks = new ArrayList<>(2);
    private MemorySegment current;
    private long used;
    private long bytes;
    private boolean freed;

    /** Side memory from {@link NativeAllocator#malloc()}. */
    public SideMemory() {
        this(NativeAllocator.malloc());
    }

    /**
     * Side memory from an allocator (tests count with their own).
     *
     * @param allocator where the chunks come from
     */
    public SideMemory(NativeAllocator allocator) {
        this.allocator = allocator;
    }

    /**
     * Allocates zeroed bytes.
     *
     * @param size bytes, {@code >= 0}
     * @param alignment a power of two, at most {@link #CHUNK_ALIGNMENT}
     * @return a zeroed segment of {@code size} bytes, of global scope
     * @throws IllegalStateException if this side memory was freed
     */
    public MemorySegment allocate(long size, long alignment) {
        if (freed) {
            throw new IllegalStateException("side memory of an export was already freed");
        }
        assert alignment > 0 && alignment <= CHUNK_ALIGNMENT && Long.bitCount(alignment) == 1 : alignment;
        long start = current == null ? 0 : (used + alignment - 1) & -alignment;
        if (current == null || start + size > current.byteSize()) {
            long chunkBytes = Math.max(CHUNK_BYTES, (size + CHUNK_ALIGNMENT - 1) & -CHUNK_ALIGNMENT);
            MemorySegment chunk = allocator.allocate(chunkBytes, CHUNK_ALIGNMENT);
            chunks.add(chunk);
            bytes += chunkBytes;
            if (size > CHUNK_BYTES / 2 && current != null) {
                // a big piece gets its own chunk; keep bumping in the current one
                return chunk.asSlice(0, size).fill((byte) 0);
            }
            current = chunk;
            start = 0;
        }
        used = start + size;
        return current.asSlice(start, size).fill((byte) 0);
    }

    /**
     * Copies a string into a NUL-terminated UTF-8 C string.
     *
     * @param value the string
     * @return the C string's segment (its address is what a struct points at)
     */
    public MemorySegment cString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        MemorySegment s = allocate(utf8.length + 1L, 1);
        MemorySegment.copy(utf8, 0, s, ValueLayout.JAVA_BYTE, 0, utf8.length);
        return s; // zeroed: the last byte is the NUL
    }

    /**
     * Bytes held in chunks.
     *
     * @return the total chunk bytes
     */
    public long bytes() {
        return bytes;
    }

    /** Frees every chunk; idempotent. */
    public void free() {
        if (freed) {
            return;
        }
        freed = true;
        current = null;
        for (MemorySegment chunk : chunks) {
            allocator.free(chunk);
        }
        chunks.clear();
    }
}
