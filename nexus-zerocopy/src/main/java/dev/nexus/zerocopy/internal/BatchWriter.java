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
     * Plans the segment of a batch with these contents.
     *
     * @param schema the schema
     * @param columns one content per column, matching the schema
     * @return where every buffer goes
     */
    public static BatchLayout.Plan plan(Schema schema, Content[] columns) {
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
        return BatchLayout.plan(schema, vLen, oLen, valLen);
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
        BatchLayout.Plan plan = plan(schema, columns);
        MemorySegment segment = allocator.allocate(plan.totalBytes(), BatchLayout.ALIGNMENT);
        try {
            fill(segment, plan, rows, columns, true);
        } catch (Throwable t) {
            allocator.free(segment);
            throw t;
        }
        return segment;
    }

    /**
     * Writes every byte of a batch segment (header, table, names, buffers, padding) into
     * {@code segment}, which must be {@code plan.totalBytes()} long and 64-byte aligned.
     *
     * @param segment where to write
     * @param plan the plan from {@link #plan}
     * @param rows the number of rows
     * @param columns the contents the plan was made for
     * @param markReady whether to store the ready word (plainly) at the end; a shared-memory file
     *     leaves it 0 and stores it itself with release semantics
     */
    public static void fill(MemorySegment segment, BatchLayout.Plan plan, int rows, Content[] columns,
                            boolean markReady) {
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
        if (markReady) {
            // plain store: the batch is not shared yet; build() publishes it (a shared-memory file
            // stores its own ready word last with release semantics, see SharedBatch)
            segment.set(ValueLayout.JAVA_LONG, BatchLayout.READY_OFFSET, BatchLayout.READY);
        }
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

    /**
     * The contents of a batch view (a slice or an imported batch included) compacted to start at row
     * 0: buffers of a view at offset 0 are used in place; bitmaps at a bit offset and offsets that do
     * not start at 0 are copied and rebased.
     *
     * @param schema the view's schema
     * @param rows the view's rows
     * @param columns the view's columns ({@code BatchAccess.column})
     * @param offset the view's first row inside the buffers
     * @return one content per column
     */
    public static Content[] contentsOf(Schema schema, int rows, java.util.List<ColumnData> columns, int offset) {
        Content[] out = new Content[columns.size()];
        for (int c = 0; c < out.length; c++) {
            ColumnData data = columns.get(c);
            Field field = schema.field(c);
            MemorySegment validity = null;
            if (field.nullable()) {
                validity = MemorySegment.ofArray(data.hasValidity() ? Bitmaps.copy(data.validity(), offset, rows)
                        : Bitmaps.allSet(rows));
            }
            MemorySegment offsets = null;
            MemorySegment values;
            if (field.type().hasOffsets()) {
                long unit = field.type() == dev.nexus.zerocopy.ColumnType.LIST ? field.childType().byteWidth() : 1;
                int[] o = data.offsets().asSlice(offset * 4L, (rows + 1L) * 4).toArray(ValueLayout.JAVA_INT_UNALIGNED);
                int first = o[0];
                for (int r = 0; r <= rows; r++) {
                    o[r] -= first;
                }
                offsets = MemorySegment.ofArray(o);
                values = data.values().asSlice(first * unit, o[rows] * unit);
            } else if (field.type() == dev.nexus.zerocopy.ColumnType.BOOL) {
                values = MemorySegment.ofArray(Bitmaps.copy(data.values(), offset, rows));
            } else {
                long width = field.type().byteWidth();
                values = data.values().asSlice(offset * width, rows * width);
            }
            out[c] = new Content(validity, data.nullCount(), offsets, values);
        }
        return out;
    }
}
