package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.internal.BatchWriter;
import dev.nexus.zerocopy.internal.GrowableBuffer;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@link ColumnBatch.Builder}: one on-heap scratch buffer per Arrow buffer (validity, offsets,
 * values), appended to row by row and copied into the batch's segment by {@link #build()}.
 */
final class RowBuilder implements ColumnBatch.Builder {

    private static final int OPEN = 0;
    private static final int BUILT = 1;
    private static final int CLOSED = 2;

    private final EpochDomain domain;
    private final NativeAllocator allocator;
    private final Schema schema;
    private final Field[] fields;
    private final GrowableBuffer[] values;
    private final GrowableBuffer[] validity;
    private final GrowableBuffer[] offsets;
    private final long[] nullCounts;
    private final boolean[] set;
    private int setCount;
    private int rows;
    private int state = OPEN;

    RowBuilder(EpochDomain domain, NativeAllocator allocator, Schema schema) {
        this.domain = domain;
        this.allocator = allocator;
        this.schema = schema;
        int n = schema.size();
        this.fields = schema.fields().toArray(Field[]::new);
        this.values = new GrowableBuffer[n];
        this.validity = new GrowableBuffer[n];
        this.offsets = new GrowableBuffer[n];
        this.nullCounts = new long[n];
        this.set = new boolean[n];
        for (int c = 0; c < n; c++) {
            String name = "column " + c + " '" + fields[c].name() + "'";
            values[c] = new GrowableBuffer(name + " values");
            if (fields[c].nullable()) {
                validity[c] = new GrowableBuffer(name + " validity");
            }
            if (fields[c].type().hasOffsets()) {
                offsets[c] = new GrowableBuffer(name + " offsets");
                offsets[c].putInt(0);
            }
        }
    }

    @Override
    public ColumnBatch.Builder appendByte(int col, byte value) {
        values[column(col, "appendByte", ColumnType.INT8, null)].putByte(value);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendShort(int col, short value) {
        values[column(col, "appendShort", ColumnType.INT16, null)].putShort(value);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendInt(int col, int value) {
        values[column(col, "appendInt", ColumnType.INT32, null)].putInt(value);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendLong(int col, long value) {
        values[column(col, "appendLong", ColumnType.INT64, ColumnType.TIMESTAMP)].putLong(value);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendFloat(int col, float value) {
        values[column(col, "appendFloat", ColumnType.FLOAT32, null)].putInt(Float.floatToRawIntBits(value));
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendDouble(int col, double value) {
        values[column(col, "appendDouble", ColumnType.FLOAT64, null)].putLong(Double.doubleToRawLongBits(value));
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendBoolean(int col, boolean value) {
        values[column(col, "appendBoolean", ColumnType.BOOL, null)].putBit(rows, value);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendTimestamp(int col, long micros) {
        values[column(col, "appendTimestamp", ColumnType.TIMESTAMP, null)].putLong(micros);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendString(int col, String value) {
        column(col, "appendString", ColumnType.UTF8, null);
        if (value == null) {
            return appendNull(col);
        }
        return variable(col, MemorySegment.ofArray(value.getBytes(StandardCharsets.UTF_8)), 1);
    }

    @Override
    public ColumnBatch.Builder appendBytes(int col, byte[] value) {
        column(col, "appendBytes", ColumnType.BINARY, null);
        if (value == null) {
            return appendNull(col);
        }
        return variable(col, MemorySegment.ofArray(value), 1);
    }

    @Override
    public ColumnBatch.Builder appendList(int col, long[] values) {
        return list(col, values == null ? null : MemorySegment.ofArray(values), ColumnType.INT64, ColumnType.TIMESTAMP);
    }

    @Override
    public ColumnBatch.Builder appendList(int col, int[] values) {
        return list(col, values == null ? null : MemorySegment.ofArray(values), ColumnType.INT32, null);
    }

    @Override
    public ColumnBatch.Builder appendList(int col, short[] values) {
        return list(col, values == null ? null : MemorySegment.ofArray(values), ColumnType.INT16, null);
    }

    @Override
    public ColumnBatch.Builder appendList(int col, byte[] values) {
        return list(col, values == null ? null : MemorySegment.ofArray(values), ColumnType.INT8, null);
    }

    @Override
    public ColumnBatch.Builder appendList(int col, double[] values) {
        return list(col, values == null ? null : MemorySegment.ofArray(values), ColumnType.FLOAT64, null);
    }

    @Override
    public ColumnBatch.Builder appendList(int col, float[] values) {
        return list(col, values == null ? null : MemorySegment.ofArray(values), ColumnType.FLOAT32, null);
    }

    private ColumnBatch.Builder list(int col, MemorySegment elements, ColumnType child, ColumnType altChild) {
        column(col, "appendList", ColumnType.LIST, null);
        ColumnType actual = fields[col].childType();
        if (actual != child && actual != altChild) {
            throw new IllegalArgumentException("appendList of " + child + (altChild == null ? "" : "/" + altChild)
                    + " elements needs a LIST<" + child + "> column: column " + col + " '" + fields[col].name()
                    + "' is LIST<" + actual + ">");
        }
        if (elements == null) {
            return appendNull(col);
        }
        return variable(col, elements, actual.byteWidth());
    }

    private ColumnBatch.Builder variable(int col, MemorySegment bytes, int unit) {
        long end = values[col].size() / unit + bytes.byteSize() / unit;
        if (end > Integer.MAX_VALUE) {
            throw new IllegalStateException("column " + col + " '" + fields[col].name() + "' would exceed the int32"
                    + " offsets of Arrow: " + end + " elements");
        }
        values[col].put(bytes);
        offsets[col].putInt((int) end);
        return mark(col, true);
    }

    @Override
    public ColumnBatch.Builder appendNull(int col) {
        column(col, "appendNull", null, null);
        Field field = fields[col];
        if (!field.nullable()) {
            throw new IllegalArgumentException("column " + col + " '" + field.name() + "' is not nullable: appendNull"
                    + " refused (declare it with nullable=true)");
        }
        ColumnType type = field.type();
        if (type == ColumnType.BOOL) {
            values[col].putBit(rows, false);
        } else if (type.hasOffsets()) {
            int unit = type == ColumnType.LIST ? field.childType().byteWidth() : 1;
            offsets[col].putInt(values[col].size() / unit);
        } else {
            values[col].putZeros(type.byteWidth());
        }
        nullCounts[col]++;
        return mark(col, false);
    }

    private int column(int col, String op, ColumnType expected, ColumnType alternative) {
        checkOpen(op);
        Objects.checkIndex(col, fields.length);
        ColumnType type = fields[col].type();
        if (expected != null && type != expected && type != alternative) {
            throw new IllegalArgumentException(op + " needs a column of type " + expected
                    + (alternative == null ? "" : " or " + alternative) + ": column " + col + " '"
                    + fields[col].name() + "' is " + type);
        }
        if (set[col]) {
            throw new IllegalStateException("column " + col + " '" + fields[col].name() + "' is already set in row "
                    + rows + ": each column is set once per row, then endRow()");
        }
        return col;
    }

    private ColumnBatch.Builder mark(int col, boolean valid) {
        if (validity[col] != null) {
            validity[col].putBit(rows, valid);
        }
        set[col] = true;
        setCount++;
        return this;
    }

    @Override
    public ColumnBatch.Builder endRow() {
        checkOpen("endRow");
        if (setCount != fields.length) {
            throw new IllegalStateException("row " + rows + " is incomplete: " + columnsWhere(false)
                    + " not set (every column needs a value or appendNull before endRow)");
        }
        if (rows == Integer.MAX_VALUE - 1) {
            throw new IllegalStateException("a batch holds at most " + (Integer.MAX_VALUE - 1) + " rows");
        }
        rows++;
        Arrays.fill(set, false);
        setCount = 0;
        return this;
    }

    private String columnsWhere(boolean isSet) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < fields.length; c++) {
            if (set[c] == isSet) {
                names.add(c + " '" + fields[c].name() + "'");
            }
        }
        return "columns " + names;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public ColumnBatch build() {
        checkOpen("build");
        if (setCount != 0) {
            throw new IllegalStateException("row " + rows + " was started (" + columnsWhere(true)
                    + " set) but not ended: call endRow() before build()");
        }
        if (domain.isClosed()) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "' is closed: cannot build a batch");
        }
        state = BUILT;
        BatchWriter.Content[] contents = new BatchWriter.Content[fields.length];
        for (int c = 0; c < fields.length; c++) {
            contents[c] = new BatchWriter.Content(validity[c] == null ? null : validity[c].segment(), nullCounts[c],
                    offsets[c] == null ? null : offsets[c].segment(), values[c].segment());
        }
        try {
            MemorySegment segment = BatchWriter.write(allocator, schema, rows, contents);
            try {
                return BatchFactory.built(domain, allocator, segment);
            } catch (Throwable t) {
                allocator.free(segment);
                throw t;
            }
        } finally {
            dropScratch();
        }
    }

    @Override
    public void close() {
        if (state == OPEN) {
            state = CLOSED;
            dropScratch();
        }
    }

    private void dropScratch() {
        Arrays.fill(values, null);
        Arrays.fill(validity, null);
        Arrays.fill(offsets, null);
    }

    private void checkOpen(String op) {
        if (state != OPEN) {
            throw new IllegalStateException(op + " on a builder that was " + (state == BUILT ? "built" : "closed")
                    + " (" + rows + " rows, " + schema + "): a builder builds one batch");
        }
    }
}
