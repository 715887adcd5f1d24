package dev.nexus.zerocopy.internal;

import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.InvalidBatchFileException.Reason;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a segment laid out by {@link BatchLayout} back into a schema and column buffers, checking every
 * field of the header against the segment's size: a foreign, half-written or damaged segment is refused
 * with a {@link BatchFormatException}, never read out of bounds.
 */
public final class BatchParser {

    /**
     * A parsed segment.
     *
     * @param schema the schema stored in the header
     * @param rows the number of rows
     * @param columns the buffers of each column, read-only slices of the segment
     */
    public record Parsed(Schema schema, int rows, List<ColumnData> columns) {
    }

    /** A segment that is not a ready batch of this layout version. */
    public static final class BatchFormatException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Reason reason;

        BatchFormatException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        /**
         * Why the segment was refused.
         *
         * @return the reason
         */
        public Reason reason() {
            return reason;
        }
    }

    // acquire load of the ready word; pairs with the release store in SharedBatch.publish (and, for a
    // batch built in this process, with the safe publication of the built batch)
    private static final VarHandle READY_WORD = ValueLayout.JAVA_LONG.varHandle(); // aligned: segments are 64-aligned

    private BatchParser() {
    }

    /**
     * Parses a segment.
     *
     * @param segment the whole batch segment (the mapping of a file, or a built batch)
     * @param verifyOffsets whether to check that every int32 offset is in order and in bounds (for
     *     memory written by another process; a batch built here is correct by construction)
     * @return the schema and the buffers
     * @throws BatchFormatException if the segment is not a ready, consistent batch
     */
    public static Parsed parse(MemorySegment segment, boolean verifyOffsets) {
        long size = segment.byteSize();
        if (size < BatchLayout.HEADER_BYTES) {
            throw new BatchFormatException(Reason.TRUNCATED, "size " + size + " bytes is less than the "
                    + BatchLayout.HEADER_BYTES + "-byte header (truncated, or still being created)");
        }
        // the ready word first, with acquire: only once it is set are the other bytes (header included)
        // known to be written. A file being written shows magic 0 (the file is extended with zeros,
        // then filled) or the magic, with the ready word 0: both are NOT_READY, never BAD_MAGIC.
        long ready = (long) READY_WORD.getAcquire(segment, BatchLayout.READY_OFFSET);
        int magic = segment.get(ValueLayout.JAVA_INT_UNALIGNED, BatchLayout.MAGIC_OFFSET);
        if (magic != BatchLayout.MAGIC && (magic != 0 || ready == BatchLayout.READY)) {
            throw new BatchFormatException(Reason.BAD_MAGIC, "magic 0x" + Integer.toHexString(magic)
                    + " is not a Nexus batch (0x" + Integer.toHexString(BatchLayout.MAGIC) + ")");
        }
        if (ready != BatchLayout.READY) {
            throw new BatchFormatException(Reason.NOT_READY, "ready word 0x" + Long.toHexString(ready)
                    + " is not set: the batch is being written, or its writer died before finishing");
        }
        int version = segment.get(ValueLayout.JAVA_INT_UNALIGNED, BatchLayout.VERSION_OFFSET);
        if (version != BatchLayout.VERSION) {
            throw new BatchFormatException(Reason.UNKNOWN_VERSION, "layout version " + version
                    + " is not the version this code reads (" + BatchLayout.VERSION + ")");
        }
        long total = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, BatchLayout.TOTAL_BYTES_OFFSET);
        if (total > size) {
            throw new BatchFormatException(Reason.TRUNCATED, "the header says " + total + " bytes, only "
                    + size + " are there");
        }
        if (total != size) {
            throw corrupt("the header says " + total + " bytes but the segment has " + size);
        }
        long rows = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, BatchLayout.ROWS_OFFSET);
        int columns = segment.get(ValueLayout.JAVA_INT_UNALIGNED, BatchLayout.COLUMNS_OFFSET);
        long data = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, BatchLayout.DATA_OFFSET);
        long names = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, BatchLayout.NAMES_OFFSET);
        if (rows < 0 || rows > Integer.MAX_VALUE) {
            throw corrupt("row count " + rows + " is out of [0, " + Integer.MAX_VALUE + "]");
        }
        if (columns < 1 || columns > (size - BatchLayout.HEADER_BYTES) / BatchLayout.COLUMN_ENTRY_BYTES) {
            throw corrupt("column count " + columns + " does not fit in " + size + " bytes");
        }
        if (names != BatchLayout.columnEntry(columns) || data < names || data > size
                || data % BatchLayout.ALIGNMENT != 0) {
            throw corrupt("names at " + names + " / data at " + data + " do not follow the column table");
        }
        List<Field> fields = new ArrayList<>(columns);
        List<ColumnData> cols = new ArrayList<>(columns);
        for (int c = 0; c < columns; c++) {
            Field field = field(segment, c, names, data);
            fields.add(field);
            cols.add(column(segment, c, field, (int) rows, data, size, verifyOffsets));
        }
        Schema schema;
        try {
            schema = Schema.of(fields);
        } catch (IllegalArgumentException e) {
            throw corrupt(e.getMessage());
        }
        return new Parsed(schema, (int) rows, List.copyOf(cols));
    }

    private static Field field(MemorySegment segment, int c, long names, long data) {
        long e = BatchLayout.columnEntry(c);
        ColumnType type = BatchLayout.typeOf(segment.get(ValueLayout.JAVA_INT_UNALIGNED, e + BatchLayout.COL_TYPE));
        int childCode = segment.get(ValueLayout.JAVA_INT_UNALIGNED, e + BatchLayout.COL_CHILD_TYPE);
        ColumnType child = BatchLayout.typeOf(childCode);
        int nullable = segment.get(ValueLayout.JAVA_INT_UNALIGNED, e + BatchLayout.COL_NULLABLE);
        int nameLength = segment.get(ValueLayout.JAVA_INT_UNALIGNED, e + BatchLayout.COL_NAME_LENGTH);
        long nameOffset = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, e + BatchLayout.COL_NAME_OFFSET);
        if (type == null || (childCode != 0 && child == null) || (nullable & ~1) != 0) {
            throw corrupt("column " + c + ": unknown type code, child type code or nullable flag");
        }
        if (nameLength < 1 || nameOffset < names || nameOffset > data - nameLength) {
            throw corrupt("column " + c + ": name of " + nameLength + " bytes at " + nameOffset
                    + " is outside the names area [" + names + ", " + data + ")");
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(segment.asSlice(nameOffset, nameLength).asByteBuffer()).toString();
            return new Field(name, type, nullable == 1, child);
        } catch (CharacterCodingException | IllegalArgumentException e2) {
            throw corrupt("column " + c + ": bad name or field: " + e2.getMessage());
        }
    }

    private static ColumnData column(MemorySegment segment, int c, Field field, int rows, long data, long size,
                                     boolean verifyOffsets) {
        long e = BatchLayout.columnEntry(c);
        ColumnType type = field.type();
        long nullCount = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, e + BatchLayout.COL_NULL_COUNT);
        if (nullCount < 0 || nullCount > rows || (!field.nullable() && nullCount != 0)) {
            throw corrupt("column " + c + " '" + field.name() + "': null count " + nullCount + " out of range");
        }
        long bitmap = BatchLayout.bitmapBytes(rows);
        MemorySegment validity = buffer(segment, c, e + BatchLayout.COL_VALIDITY_OFFSET, data, size,
                field.nullable() ? bitmap : 0, field.nullable());
        MemorySegment offsets = buffer(segment, c, e + BatchLayout.COL_OFFSETS_OFFSET, data, size,
                type.hasOffsets() ? (rows + 1L) * 4 : 0, type.hasOffsets());
        long valuesLength = switch (type) {
            case BOOL -> bitmap;
            case UTF8, BINARY, LIST -> -1; // checked against the last offset below
            default -> (long) rows * type.byteWidth();
        };
        MemorySegment values = buffer(segment, c, e + BatchLayout.COL_VALUES_OFFSET, data, size, valuesLength, true);
        if (type.hasOffsets()) {
            long unit = type == ColumnType.LIST ? field.childType().byteWidth() : 1;
            int first = offsets.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            int last = offsets.get(ValueLayout.JAVA_INT_UNALIGNED, (long) rows * 4);
            if (first != 0 || last < 0 || last * unit != values.byteSize()) {
                throw corrupt("column " + c + " '" + field.name() + "': offsets [" + first + ", " + last
                        + "] do not span the " + values.byteSize() + "-byte values buffer");
            }
            if (verifyOffsets) {
                int previous = 0;
                for (long r = 1; r <= rows; r++) {
                    int next = offsets.get(ValueLayout.JAVA_INT_UNALIGNED, r * 4);
                    if (next < previous) {
                        throw corrupt("column " + c + " '" + field.name() + "': offset " + r + " = " + next
                                + " is less than the one before (" + previous + ")");
                    }
                    previous = next;
                }
            }
        }
        return new ColumnData(type, field.childType(), rows, nullCount, validity, offsets, values);
    }

    private static MemorySegment buffer(MemorySegment segment, int c, long entry, long data, long size,
                                        long expectedLength, boolean present) {
        long offset = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, entry);
        long length = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, entry + 8);
        if (!present) {
            if (length != 0) {
                throw corrupt("column " + c + ": a buffer of " + length + " bytes where the type has none");
            }
            return MemorySegment.NULL;
        }
        if (offset < data || offset % BatchLayout.ALIGNMENT != 0 || length < 0 || length > size - offset
                || (expectedLength >= 0 && length != expectedLength)) {
            throw corrupt("column " + c + ": buffer [" + offset + ", +" + length + ") is misplaced or not "
                    + (expectedLength >= 0 ? expectedLength + " bytes" : "inside the segment") + " (segment "
                    + size + " bytes, data at " + data + ")");
        }
        return segment.asSlice(offset, length).asReadOnly();
    }

    private static BatchFormatException corrupt(String message) {
        return new BatchFormatException(Reason.CORRUPT, message);
    }
}
