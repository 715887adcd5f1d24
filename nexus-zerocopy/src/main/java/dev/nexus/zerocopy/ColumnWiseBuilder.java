package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.internal.BatchLayout;
import dev.nexus.zerocopy.internal.BatchWriter;
import dev.nexus.zerocopy.internal.Bitmaps;
import dev.nexus.zerocopy.internal.GrowableBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@link ColumnBatch.ColumnarBuilder}: each column is copied once when given (one bulk copy into an
 * on-heap segment) and once more by {@link #build()} into the batch's native segment.
 */
final class ColumnWiseBuilder implements ColumnBatch.ColumnarBuilder {

    private final EpochDomain domain;
    private final NativeAllocator allocator;
    private final Schema schema;
    private final Field[] fields;
    private final int rows;
    private final MemorySegment[] values;
    private final MemorySegment[] offsets;
    private final MemorySegment[] validity;
    private final long[] nullCounts;
    private String done;

    ColumnWiseBuilder(EpochDomain domain, NativeAllocator allocator, Schema schema, int rows) {
        this.domain = domain;
        this.allocator = allocator;
        this.schema = schema;
        this.fields = schema.fields().toArray(Field[]::new);
        this.rows = rows;
        int n = fields.length;
        this.values = new MemorySegment[n];
        this.offsets = new MemorySegment[n];
        this.validity = new MemorySegment[n];
        this.nullCounts = new long[n];
    }

    @Override
    public ColumnBatch.ColumnarBuilder setInt8(int col, byte[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setInt8", v.length, MemorySegment.ofArray(v.clone()), ColumnType.INT8, null);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setInt16(int col, short[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setInt16", v.length, MemorySegment.ofArray(v.clone()), ColumnType.INT16, null);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setInt32(int col, int[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setInt32", v.length, MemorySegment.ofArray(v.clone()), ColumnType.INT32, null);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setInt64(int col, long[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setInt64", v.length, MemorySegment.ofArray(v.clone()), ColumnType.INT64,
                ColumnType.TIMESTAMP);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setTimestamp(int col, long[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setTimestamp", v.length, MemorySegment.ofArray(v.clone()), ColumnType.TIMESTAMP, null);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setFloat32(int col, float[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setFloat32", v.length, MemorySegment.ofArray(v.clone()), ColumnType.FLOAT32, null);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setFloat64(int col, double[] v) {
        Objects.requireNonNull(v, "values");
        return fixed(col, "setFloat64", v.length, MemorySegment.ofArray(v.clone()), ColumnType.FLOAT64, null);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setBool(int col, boolean[] v) {
        check(col, "setBool", Objects.requireNonNull(v, "values").length, ColumnType.BOOL, null);
        values[col] = MemorySegment.ofArray(pack(v));
        return this;
    }

    private ColumnBatch.ColumnarBuilder fixed(int col, String op, int length, MemorySegment copy, ColumnType type,
                                              ColumnType alternative) {
        check(col, op, length, type, alternative);
        values[col] = copy;
        return this;
    }

    @Override
    public ColumnBatch.ColumnarBuilder setUtf8(int col, String[] v) {
        check(col, "setUtf8", Objects.requireNonNull(v, "values").length, ColumnType.UTF8, null);
        byte[][] bytes = new byte[v.length][];
        for (int r = 0; r < v.length; r++) {
            bytes[r] = v[r] == null ? null : v[r].getBytes(StandardCharsets.UTF_8);
        }
        return strings(col, bytes);
    }

    @Override
    public ColumnBatch.ColumnarBuilder setBinary(int col, byte[][] v) {
        check(col, "setBinary", Objects.requireNonNull(v, "values").length, ColumnType.BINARY, null);
        return strings(col, v);
    }

    private ColumnBatch.ColumnarBuilder strings(int col, byte[][] v) {
        boolean[] valid = new boolean[rows];
        int nulls = 0;
        long total = 0;
        for (int r = 0; r < rows; r++) {
            valid[r] = v[r] != null;
            nulls += valid[r] ? 0 : 1;
            total += valid[r] ? v[r].length : 0;
        }
        if (nulls > 0) {
            checkValidityFree(col, "null elements");
            checkNullable(col, nulls);
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("column " + col + " '" + fields[col].name() + "': " + total
                    + " bytes exceed Arrow's int32 offsets");
        }
        int[] offs = new int[rows + 1];
        GrowableBuffer data = new GrowableBuffer("column " + col + " data");
        for (int r = 0; r < rows; r++) {
            if (v[r] != null) {
                data.put(MemorySegment.ofArray(v[r]));
            }
            offs[r + 1] = data.size();
        }
        values[col] = data.segment();
        offsets[col] = MemorySegment.ofArray(offs);
        if (nulls > 0) {
            validity[col] = MemorySegment.ofArray(pack(valid));
            nullCounts[col] = nulls;
        }
        return this;
    }

    @Override
    public ColumnBatch.ColumnarBuilder setFixed(int col, MemorySegment v) {
        Objects.requireNonNull(v, "values");
        checkColumn(col, "setFixed");
        ColumnType type = fields[col].type();
        if (!type.isFixedWidth()) {
            throw new IllegalArgumentException("setFixed needs a fixed-width column: column " + col + " '"
                    + fields[col].name() + "' is " + type + " (use setVariable)");
        }
        long bytes = type == ColumnType.BOOL ? BatchLayout.bitmapBytes(rows) : (long) rows * type.byteWidth();
        if (v.byteSize() < bytes) {
            throw new IllegalArgumentException("setFixed: column " + col + " '" + fields[col].name() + "' needs "
                    + bytes + " bytes for " + rows + " rows of " + type + ", the segment has " + v.byteSize());
        }
        byte[] copy = v.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE);
        if (type == ColumnType.BOOL) {
            clearTail(copy);
        }
        values[col] = MemorySegment.ofArray(copy);
        return this;
    }

    @Override
    public ColumnBatch.ColumnarBuilder setVariable(int col, MemorySegment offs, MemorySegment data) {
        Objects.requireNonNull(offs, "offsets");
        Objects.requireNonNull(data, "data");
        checkColumn(col, "setVariable");
        Field field = fields[col];
        if (!field.type().hasOffsets()) {
            throw new IllegalArgumentException("setVariable needs a UTF8, BINARY or LIST column: column " + col
                    + " '" + field.name() + "' is " + field.type() + " (use setFixed)");
        }
        long unit = field.type() == ColumnType.LIST ? field.childType().byteWidth() : 1;
        if (offs.byteSize() < (rows + 1L) * 4) {
            throw new IllegalArgumentException("setVariable: column " + col + " '" + field.name() + "' needs "
                    + (rows + 1L) + " int32 offsets, the segment has " + offs.byteSize() + " bytes");
        }
        int[] o = offs.asSlice(0, (rows + 1L) * 4).toArray(ValueLayout.JAVA_INT_UNALIGNED);
        int first = o[0];
        for (int r = 0; r < rows; r++) {
            if (o[r + 1] < o[r]) {
                throw new IllegalArgumentException("setVariable: column " + col + " '" + field.name()
                        + "': offsets must not decrease: offset[" + (r + 1) + "]=" + o[r + 1] + " < offset[" + r
                        + "]=" + o[r]);
            }
        }
        if (first < 0 || o[rows] * unit > data.byteSize()) {
            throw new IllegalArgumentException("setVariable: column " + col + " '" + field.name() + "': offsets ["
                    + first + ", " + o[rows] + "] (x" + unit + " bytes) point outside the " + data.byteSize()
                    + "-byte data");
        }
        for (int r = 0; r <= rows; r++) {
            o[r] -= first;
        }
        values[col] = MemorySegment.ofArray(data.asSlice(first * unit, o[rows] * unit).toArray(ValueLayout.JAVA_BYTE));
        offsets[col] = MemorySegment.ofArray(o);
        return this;
    }

    @Override
    public ColumnBatch.ColumnarBuilder setValidity(int col, boolean[] valid) {
        Objects.requireNonNull(valid, "valid");
        checkOpen("setValidity");
        Objects.checkIndex(col, fields.length);
        length(col, "setValidity", valid.length);
        checkValidityFree(col, "setValidity");
        int nulls = 0;
        for (boolean b : valid) {
            nulls += b ? 0 : 1;
        }
        checkNullable(col, nulls);
        validity[col] = MemorySegment.ofArray(pack(valid));
        nullCounts[col] = nulls;
        return this;
    }

    @Override
    public ColumnBatch.ColumnarBuilder setValidity(int col, MemorySegment bitmap) {
        Objects.requireNonNull(bitmap, "bitmap");
        checkOpen("setValidity");
        Objects.checkIndex(col, fields.length);
        long bytes = BatchLayout.bitmapBytes(rows);
        if (bitmap.byteSize() < bytes) {
            throw new IllegalArgumentException("setValidity: column " + col + " '" + fields[col].name() + "' needs a "
                    + bytes + "-byte bitmap for " + rows + " rows, the segment has " + bitmap.byteSize());
        }
        checkValidityFree(col, "setValidity");
        byte[] copy = bitmap.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE);
        clearTail(copy);
        MemorySegment packed = MemorySegment.ofArray(copy);
        long nulls = rows - Bitmaps.countSet(packed, 0, rows);
        checkNullable(col, nulls);
        validity[col] = packed;
        nullCounts[col] = nulls;
        return this;
    }

    @Override
    public ColumnBatch build() {
        checkOpen("build");
        List<String> missing = new ArrayList<>();
        for (int c = 0; c < fields.length; c++) {
            if (values[c] == null) {
                missing.add(c + " '" + fields[c].name() + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("columns " + missing + " were not set: a columnar builder needs every"
                    + " column before build()");
        }
        if (domain.isClosed()) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "' is closed: cannot build a batch");
        }
        done = "built";
        BatchWriter.Content[] contents = new BatchWriter.Content[fields.length];
        for (int c = 0; c < fields.length; c++) {
            MemorySegment v = validity[c];
            if (v == null && fields[c].nullable()) {
                boolean[] all = new boolean[rows];
                Arrays.fill(all, true);
                v = MemorySegment.ofArray(pack(all));
            }
            contents[c] = new BatchWriter.Content(v, nullCounts[c], offsets[c], values[c]);
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
            drop();
        }
    }

    @Override
    public void close() {
        if (done == null) {
            done = "closed";
            drop();
        }
    }

    private void drop() {
        Arrays.fill(values, null);
        Arrays.fill(offsets, null);
        Arrays.fill(validity, null);
    }

    private static byte[] pack(boolean[] bits) {
        byte[] packed = new byte[(int) BatchLayout.bitmapBytes(bits.length)];
        for (int i = 0; i < bits.length; i++) {
            if (bits[i]) {
                packed[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return packed;
    }

    private void clearTail(byte[] bitmap) {
        if ((rows & 7) != 0) {
            bitmap[bitmap.length - 1] &= (byte) ((1 << (rows & 7)) - 1);
        }
    }

    private void check(int col, String op, int length, ColumnType type, ColumnType alternative) {
        checkColumn(col, op);
        ColumnType actual = fields[col].type();
        if (actual != type && actual != alternative) {
            throw new IllegalArgumentException(op + " needs a column of type " + type
                    + (alternative == null ? "" : " or " + alternative) + ": column " + col + " '"
                    + fields[col].name() + "' is " + actual);
        }
        length(col, op, length);
    }

    private void checkColumn(int col, String op) {
        checkOpen(op);
        Objects.checkIndex(col, fields.length);
        if (values[col] != null) {
            throw new IllegalStateException(op + ": column " + col + " '" + fields[col].name()
                    + "' was set already; each column is set once");
        }
    }

    private void length(int col, String op, int length) {
        if (length != rows) {
            throw new IllegalArgumentException(op + ": column " + col + " '" + fields[col].name() + "' needs "
                    + rows + " values, got " + length);
        }
    }

    private void checkValidityFree(int col, String what) {
        if (validity[col] != null) {
            throw new IllegalStateException(what + ": the validity of column " + col + " '" + fields[col].name()
                    + "' was set already");
        }
    }

    private void checkNullable(int col, long nulls) {
        if (nulls > 0 && !fields[col].nullable()) {
            throw new IllegalArgumentException("column " + col + " '" + fields[col].name() + "' is not nullable but "
                    + nulls + " of its " + rows + " rows are null");
        }
    }

    private void checkOpen(String op) {
        if (done != null) {
            throw new IllegalStateException(op + " on a columnar builder that was " + done + " (" + rows
                    + " rows, " + schema + "): a builder builds one batch");
        }
    }
}
