package dev.nexus.zerocopy.internal.arrow;

import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_BUFFERS;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_BYTES;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_DICTIONARY;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_LENGTH;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_NULL_COUNT;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_N_BUFFERS;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_N_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_OFFSET;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_RELEASE;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.NULL;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.POINTER_BYTES;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.word;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.ColumnData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Imports a producer's {@code ArrowArray} (a struct array, one child per column) as a read-only
 * {@link ColumnBatch} over the producer's buffers.
 *
 * <p>Ownership: the array is <em>moved</em> first (copied into a struct of ours, the producer's marked
 * released, as the spec lets a consumer do), so from then on it is ours to release, exactly once: on
 * a validation failure before the exception is thrown, otherwise after the batch is closed, every
 * hold released and a grace period passed ({@code releaseToProducer}).
 *
 * <p>Offsets: the struct's {@code offset} {@code p} applies to every column, and each column adds its
 * own; column {@code c} starts at row {@code off(c) = p + offset(c)} of its buffers. The batch gets one
 * offset {@code o = min(off(c) mod 8)} and every column's buffers are viewed from row
 * {@code off(c) - o}, a byte boundary for the bitmaps when {@code off(c) mod 8 == o} (always, unless the
 * columns' offsets disagree mod 8). A bitmap that cannot be shared that way is copied, shifted (side
 * memory, freed with the import): the one copy of an import. Values and offsets are never copied.
 *
 * <p>Checks are O(columns): buffer pointers, counts, lengths, first and last offsets (plus one pass
 * over a validity bitmap when {@code null_count} is -1 or counts other rows). Offsets in between
 * are not walked; reads through them stay inside the segments we size from the last offset, so a
 * malformed producer gets an {@link IndexOutOfBoundsException}, never a read outside its buffers.
 */
public final class ArrayImporter {

    private ArrayImporter() {
    }

    /**
     * Moves the producer's array and builds the batch. The array is released exactly once: before this
     * method throws, or after the batch is closed.
     *
     * @param domain the domain whose grace period delays the release to the producer
     * @param schema the schema of the array (from its {@code ArrowSchema} or the stream's)
     * @param producerArray the producer's {@code ArrowArray}, {@link CDataLayout#ARRAY_BYTES} bytes
     * @return the batch
     * @throws IllegalArgumentException if the array is released, malformed or does not match the schema
     *     (the array is released before the throw unless it was released already)
     */
    public static ColumnBatch importArray(EpochDomain domain, Schema schema, MemorySegment producerArray) {
        if (word(producerArray, ARRAY_RELEASE) == NULL) {
            throw new IllegalArgumentException("ArrowArray at 0x" + Long.toHexString(producerArray.address())
                    + " is released (release is NULL): nothing to import");
        }
        SideMemory memory = new SideMemory();
        MemorySegment ours;
        try {
            ours = memory.allocate(ARRAY_BYTES, CDataLayout.STRUCT_ALIGNMENT);
        } catch (RuntimeException | Error e) {
            memory.free();
            ProducerCalls.release(producerArray, ARRAY_RELEASE);
            throw e;
        }
        // the move: from here the struct is ours, the producer's is marked released
        MemorySegment.copy(producerArray, 0, ours, 0, ARRAY_BYTES);
        CDataLayout.setWord(producerArray, ARRAY_RELEASE, NULL);
        Runnable releaseToProducer = () -> {
            try {
                ProducerCalls.release(ours, ARRAY_RELEASE);
            } finally {
                memory.free();
                ArrowCounters.importReleased();
            }
        };
        ColumnBatch batch;
        try {
            batch = build(domain, schema, ours, memory, releaseToProducer);
        } catch (RuntimeException | Error e) {
            releaseToProducer.run();
            throw e;
        }
        ArrowCounters.batchImported();
        return batch;
    }

    private static ColumnBatch build(EpochDomain domain, Schema schema, MemorySegment array, SideMemory memory,
                                    Runnable releaseToProducer) {
        long length = word(array, ARRAY_LENGTH);
        long p = word(array, ARRAY_OFFSET);
        if (length < 0 || length > Integer.MAX_VALUE || p < 0) {
            throw new IllegalArgumentException("ArrowArray of a record batch must have 0 <= length <= 2^31-1 and"
                    + " offset >= 0: length=" + length + " offset=" + p);
        }
        checkCounts(array, "the record batch", 1, schema.size());
        long rootBuffers = word(array, ARRAY_BUFFERS);
        long rootValidity = rootBuffers == NULL ? NULL : CDataLayout.pointerAt(CDataLayout.at(rootBuffers, 8), 0);
        long rootNulls = word(array, ARRAY_NULL_COUNT);
        if (rootValidity != NULL && rootNulls != 0
                && Bitmaps.countClear(CDataLayout.at(rootValidity, Bitmaps.bytesFor(p + length)), p, length) != 0) {
            throw new IllegalArgumentException("the record batch has null rows (struct-level nulls): null_count="
                    + rootNulls + "; a ColumnBatch has none");
        }
        int rows = (int) length;
        int n = schema.size();
        MemorySegment children = n == 0 ? MemorySegment.NULL
                : CDataLayout.at(word(array, ARRAY_CHILDREN), n * POINTER_BYTES);
        MemorySegment[] cols = new MemorySegment[n];
        long[] offsets = new long[n];
        int base = 8;
        for (int c = 0; c < n; c++) {
            String what = "column " + c + " '" + schema.field(c).name() + "'";
            long childAddress = CDataLayout.pointerAt(children, c);
            if (childAddress == NULL) {
                throw new IllegalArgumentException("the record batch's ArrowArray has a NULL child for " + what);
            }
            cols[c] = CDataLayout.at(childAddress, ARRAY_BYTES);
            long childOffset = word(cols[c], ARRAY_OFFSET);
            long childLength = word(cols[c], ARRAY_LENGTH);
            if (childOffset < 0 || childLength < p + length) {
                throw new IllegalArgumentException(what + " has offset=" + childOffset + " length=" + childLength
                        + "; the record batch needs rows [" + p + ", " + (p + length) + ") of it");
            }
            offsets[c] = p + childOffset;
            base = (int) Math.min(base, offsets[c] & 7);
        }
        List<ColumnData> data = new ArrayList<>(n);
        for (int c = 0; c < n; c++) {
            data.add(column(schema.field(c), "column " + c + " '" + schema.field(c).name() + "'", cols[c],
                    offsets[c], base, rows, p == 0 && word(cols[c], ARRAY_LENGTH) == length, memory));
        }
        return BatchAccess.imported(domain, schema, rows, base, data, releaseToProducer);
    }

    private static ColumnData column(Field field, String what, MemorySegment child, long off, int base, int rows,
                                     boolean wholeChild, SideMemory memory) {
        ColumnType type = field.type();
        if (word(child, ARRAY_RELEASE) == NULL) {
            throw new IllegalArgumentException("the ArrowArray of " + what + " is released (release is NULL)");
        }
        checkCounts(child, what + " (" + type + ")", Formats.bufferCount(type), type == ColumnType.LIST ? 1 : 0);
        MemorySegment buffers = CDataLayout.at(word(child, ARRAY_BUFFERS), Formats.bufferCount(type) * POINTER_BYTES);
        long first = off - base; // the row viewed as row `base`
        boolean inPlace = (first & 7) == 0;
        long extent = base + (long) rows; // rows covered by the views, from their start

        // validity
        long validityPtr = CDataLayout.pointerAt(buffers, 0);
        long producerNulls = word(child, ARRAY_NULL_COUNT);
        if (producerNulls < -1) {
            throw new IllegalArgumentException(what + " has null_count=" + producerNulls + " (must be >= -1)");
        }
        MemorySegment validity = MemorySegment.NULL;
        long nulls = 0;
        if (validityPtr == NULL) {
            if (producerNulls > 0) {
                throw new IllegalArgumentException(what + " has null_count=" + producerNulls
                        + " but no validity buffer");
            }
        } else if (producerNulls != 0) {
            MemorySegment whole = CDataLayout.at(validityPtr, Bitmaps.bytesFor(off + rows));
            nulls = producerNulls >= 0 && wholeChild ? producerNulls : Bitmaps.countClear(whole, off, rows);
            if (nulls > 0) {
                validity = inPlace ? whole.asSlice(first >>> 3, Bitmaps.bytesFor(extent))
                        : Bitmaps.copyTo(whole, off, rows, base, memory);
            }
        }
        if (nulls > 0 && !field.nullable()) {
            throw new IllegalArgumentException(what + " is not nullable (its ArrowSchema flags) but has " + nulls
                    + " nulls");
        }

        return switch (type) {
            case BOOL -> {
                MemorySegment whole = buffer(buffers, 1, Bitmaps.bytesFor(off + rows), what);
                MemorySegment values = inPlace ? whole.asSlice(first >>> 3, Bitmaps.bytesFor(extent))
                        : Bitmaps.copyTo(whole, off, rows, base, memory);
                yield new ColumnData(type, null, rows, nulls, validity, MemorySegment.NULL, values);
            }
            case UTF8, BINARY -> {
                MemorySegment offsets = offsets(buffers, first, extent, rows, what, memory);
                int last = offsets.getAtIndex(ValueLayout.JAVA_INT, extent);
                MemorySegment bytes = buffer(buffers, 2, last, what);
                yield new ColumnData(type, null, rows, nulls, validity, offsets, bytes);
            }
            case LIST -> {
                MemorySegment offsets = offsets(buffers, first, extent, rows, what, memory);
                int last = offsets.getAtIndex(ValueLayout.JAVA_INT, extent);
                yield new ColumnData(type, field.childType(), rows, nulls, validity, offsets,
                        listValues(child, field.childType(), last, what));
            }
            default -> {
                int width = type.byteWidth();
                MemorySegment whole = buffer(buffers, 1, (off + rows) * width, what);
                yield new ColumnData(type, null, rows, nulls, validity, MemorySegment.NULL,
                        whole.asSlice(first * width, extent * width));
            }
        };
    }

    /**
     * The int32 offsets of rows {@code [first, first + extent]}, first and last checked. A column of no
     * rows may have a NULL offsets buffer (as Arrow C++ allows): it reads as zeros.
     */
    private static MemorySegment offsets(MemorySegment buffers, long first, long extent, int rows, String what,
                                         SideMemory memory) {
        long bytes = (extent + 1) * Integer.BYTES;
        if (rows == 0 && CDataLayout.pointerAt(buffers, 1) == NULL) {
            return memory.allocate(bytes, Integer.BYTES);
        }
        MemorySegment offsets = buffer(buffers, 1, first * Integer.BYTES + bytes, what)
                .asSlice(first * Integer.BYTES, bytes);
        int start = offsets.getAtIndex(ValueLayout.JAVA_INT, 0);
        int end = offsets.getAtIndex(ValueLayout.JAVA_INT, extent);
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(what + " has malformed offsets: offsets[first]=" + start
                    + " offsets[last]=" + end + " (need 0 <= first <= last)");
        }
        return offsets;
    }

    /** A list's child values: a fixed-width array without nulls, at least {@code needed} long. */
    private static MemorySegment listValues(MemorySegment list, ColumnType childType, int needed, String what) {
        String itemWhat = "the items of " + what;
        long itemAddress = CDataLayout.pointerAt(CDataLayout.at(word(list, ARRAY_CHILDREN), POINTER_BYTES), 0);
        if (itemAddress == NULL) {
            throw new IllegalArgumentException("the ArrowArray of " + what + " has a NULL child");
        }
        MemorySegment item = CDataLayout.at(itemAddress, ARRAY_BYTES);
        if (word(item, ARRAY_RELEASE) == NULL) {
            throw new IllegalArgumentException("the ArrowArray of " + itemWhat + " is released (release is NULL)");
        }
        checkCounts(item, itemWhat, 2, 0);
        long itemOffset = word(item, ARRAY_OFFSET);
        long itemLength = word(item, ARRAY_LENGTH);
        if (itemOffset < 0 || itemLength < needed) {
            throw new IllegalArgumentException(itemWhat + " has offset=" + itemOffset + " length=" + itemLength
                    + "; the list offsets need " + needed + " items");
        }
        long itemNulls = word(item, ARRAY_NULL_COUNT);
        MemorySegment itemBuffers = CDataLayout.at(word(item, ARRAY_BUFFERS), 2 * POINTER_BYTES);
        long itemValidity = CDataLayout.pointerAt(itemBuffers, 0);
        if (itemValidity != NULL && itemNulls != 0 && Bitmaps.countClear(
                CDataLayout.at(itemValidity, Bitmaps.bytesFor(itemOffset + needed)), itemOffset, needed) != 0) {
            throw new IllegalArgumentException(itemWhat + " hold nulls; a LIST column's items are never null");
        }
        int width = childType.byteWidth();
        return buffer(itemBuffers, 1, (itemOffset + needed) * width, itemWhat)
                .asSlice(itemOffset * width, (long) needed * width);
    }

    /** Buffer {@code index} as {@code bytes} bytes; NULL only allowed when nothing is needed. */
    private static MemorySegment buffer(MemorySegment buffers, int index, long bytes, String what) {
        long ptr = CDataLayout.pointerAt(buffers, index);
        if (ptr == NULL) {
            if (bytes == 0) {
                return MemorySegment.ofArray(new byte[0]).asReadOnly();
            }
            throw new IllegalArgumentException(what + " has a NULL buffer " + index + " where " + bytes
                    + " bytes are needed");
        }
        return CDataLayout.at(ptr, bytes);
    }

    private static void checkCounts(MemorySegment array, String what, int buffers, int children) {
        long nBuffers = word(array, ARRAY_N_BUFFERS);
        long nChildren = word(array, ARRAY_N_CHILDREN);
        if (nBuffers != buffers) {
            throw new IllegalArgumentException(what + " must have " + buffers + " buffers: n_buffers=" + nBuffers);
        }
        if (nChildren != children) {
            throw new IllegalArgumentException(what + " must have " + children + " children (its schema): n_children="
                    + nChildren);
        }
        if (word(array, ARRAY_BUFFERS) == NULL) {
            throw new IllegalArgumentException(what + " has n_buffers=" + nBuffers + " but buffers is NULL");
        }
        if (children > 0 && word(array, ARRAY_CHILDREN) == NULL) {
            throw new IllegalArgumentException(what + " has n_children=" + nChildren + " but children is NULL");
        }
        if (word(array, ARRAY_DICTIONARY) != NULL) {
            throw new IllegalArgumentException(what + " has a dictionary; dictionaries are not supported");
        }
    }
}
