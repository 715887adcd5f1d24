package dev.nexus.zerocopy.internal;

import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes a batch's columns into one native segment laid out by {@link BatchLayout}: one allocation,
 * one bulk copy per buffer. A failure after the allocation frees it.
 */
public final class BatchWriter {

    /**
     * The exact bytes of one column's buffers.
     *
     * @param validity the validity bitmap of {@code ceil(rows / 8)} bytes (bits past {@code rows}
     *     zero), or null for a column without one (a non-nullable column)
     * @param nullCount the number of nulls
     * @param offsets the {@code rows + 1} int32 offsets starting at 0, or null for fixed-width types
     * @param values the values
     */
    public record Content(MemorySegment validity, long nullCount, MemorySegment offsets, MemorySegment values) {
    }

    private BatchWriter() {
    }

    /**
     * Allocates and fills a batch segment, ready word set.
     *
     * @param allocator where the segment comes from
     * @param schema the schema
     * @param rows the number of rows
     * @param columns one content per column, matching the schema
     * @return the segment, exactly as large as the layout
     */
    public static MemorySegment write(NativeAllocator allocator, Schema schema, int rows, Content[] columns) {
        int n = schema.size();
        long[] vLen = new long[n];
        long[] oLen = new long[n];
        long[] valLen = new long[n];
        for (int c = 0; c < n; c++) {
            Content content = columns[c];
            Field field = schema.field(c);
            assert (content.validity() != null) == BatchLayout.hasValidity(field) : field;
            assert (content.offsets() != null) == field.type().hasOffsets() : field;
            vLen[c] = content.validity() == null ? 0 : content.validity().byteSize();
            oLen[c] = content.offsets() == null ? 0 : content.offsets().byteSize();
            valLen[c] = content.values().byteSize();
        }
        BatchLayout.Plan plan = BatchLayout.plan(schema, vLen, oLen, valLen);
        MemorySegment segment = allocator.allocate(plan.totalBytes(), BatchLayout.ALIGNMENT);
        try {
            fill(segment, plan, rows, columns);
        } catch (Throwable t) {
            allocator.free(segment);
            throw t;
        }
        return segment;
    }

    private static void fill(MemorySegment segment, BatchLayout.Plan plan, int rows, Content[] columns) {
        Schema schema = plan.schema();
        segment.asSlice(0, plan.dataOffset()).fill((byte) 0);
        segment.set(ValueLayout.JAVA_INT, BatchLayout.MAGIC_OFFSET, BatchLayout.MAGIC);
        segment.set(ValueLayout.JAVA_INT, BatchLayout.VERSION_OFFSET, BatchLayout.VERSION);
        segment.set(ValueLayout.JAVA_LONG, BatchLayout.ROWS_OFFSET, rows);
        segment.set(ValueLayout.JAVA_INT, BatchLayout.COLUMNS_OFFSET, schema.size());
        segment.set(ValueLayout.JAVA_LONG, BatchLayout.TOTAL_BYTES_OFFSET, plan.totalBytes());
        segment.set(ValueLayout.JAVA_LONG, BatchLayout.DATA_OFFSET, plan.dataOffset());
        segment.set(ValueLayout.JAVA_LONG, BatchLayout.NAMES_OFFSET, plan.namesOffset());
        long nameAt = plan.namesOffset();
        for (int c = 0; c < schema.size(); c++) {
            Field field = schema.field(c);
            Content content = columns[c];
            long e = BatchLayout.columnEntry(c);
            byte[] name = plan.names()[c];
            MemorySegment.copy(name, 0, segment, ValueLayout.JAVA_BYTE, nameAt, name.length);
            segment.set(ValueLayout.JAVA_INT, e + BatchLayout.COL_TYPE, BatchLayout.typeCode(field.type()));
            segment.set(ValueLayout.JAVA_INT, e + BatchLayout.COL_CHILD_TYPE, BatchLayout.typeCode(field.childType()));
            segment.set(ValueLayout.JAVA_INT, e + BatchLayout.COL_NULLABLE, field.nullable() ? 1 : 0);
            segment.set(ValueLayout.JAVA_INT, e + BatchLayout.COL_NAME_LENGTH, name.length);
            segment.set(ValueLayout.JAVA_LONG, e + BatchLayout.COL_NAME_OFFSET, nameAt);
            segment.set(ValueLayout.JAVA_LONG, e + BatchLayout.COL_NULL_COUNT, content.nullCount());
            nameAt += name.length;
            putBuffer(segment, e + BatchLayout.COL_VALIDITY_OFFSET, plan.validityOffset()[c], content.validity());
            putBuffer(segment, e + BatchLayout.COL_OFFSETS_OFFSET, plan.offsetsOffset()[c], content.offsets());
            putBuffer(segment, e + BatchLayout.COL_VALUES_OFFSET, plan.valuesOffset()[c], content.values());
        }
        // plain store: the batch is not shared yet; build() publishes it (and a shared-memory file
        // stores its own ready word last with release semantics, see SharedBatch)
        segment.set(ValueLayout.JAVA_LONG, BatchLayout.READY_OFFSET, BatchLayout.READY);
    }

    private static void putBuffer(MemorySegment segment, long entry, long offset, MemorySegment src) {
        long length = src == null ? 0 : src.byteSize();
        segment.set(ValueLayout.JAVA_LONG, entry, offset);
        segment.set(ValueLayout.JAVA_LONG, entry + 8, length);
        if (length > 0) {
            MemorySegment.copy(src, 0, segment, offset, length);
        }
        long padded = BatchLayout.pad(length);
        if (padded > length) {
            segment.asSlice(offset + length, padded - length).fill((byte) 0);
        }
    }
}
