package dev.nexus.zerocopy.internal;

import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.nio.charset.StandardCharsets;

/**
 * The one-segment layout of a built {@code ColumnBatch}: a header, a column table, the field names,
 * then every Arrow buffer 64-byte aligned and padded to a multiple of 64 bytes. The segment describes
 * itself (schema included), which is what the shared-memory reader parses. All integers are in native
 * byte order (little-endian on supported platforms); offsets are from the start of the segment.
 *
 * <pre>
 * 0        8        16       24       32       40       48       56       64
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * |magic|ver| rows  |cols|flg| total  | ready  | data   | names  | (zero) |  header, 64 bytes
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | column 0 entry (80 bytes)                                             |  column table at 64,
 * | column 1 entry ...                                                    |  80 bytes per column
 * +-----------------------------------------------------------------------+
 * | field names, UTF-8, back to back                                      |  at names
 * +------------------------------- pad to 64 -----------------------------+
 * | column 0: validity (if nullable) | offsets (if UTF8/BINARY/LIST) | values,  each buffer
 * | column 1: ...                       64-aligned, padded with zeros to 64    starts at data
 * +-----------------------------------------------------------------------+  total bytes
 *
 * column entry (80 bytes):
 * +0  int  type code        +4  int  child type code (0 = none)
 * +8  int  nullable (0/1)   +12 int  name length (UTF-8 bytes)
 * +16 long name offset      +24 long null count
 * +32 long validity offset  +40 long validity length   (length 0: no validity buffer)
 * +48 long offsets offset   +56 long offsets length    (length 0: no offsets buffer)
 * +64 long values offset    +72 long values length
 * </pre>
 *
 * <p>Buffer lengths are the exact byte counts (validity and BOOL values {@code ceil(rows / 8)},
 * fixed-width values {@code rows * width}, offsets {@code (rows + 1) * 4}, UTF8/BINARY/LIST values the
 * bytes the last offset points to); the padding after each is zero. The ready word is
 * {@link #READY} once every other byte of the segment is written: a built batch sets it before it is
 * published, a shared-memory file stores it last with release semantics.
 *
 * <p>The magic and the ready word keep their offsets in every layout version, so that a reader can
 * tell a file being written (ready word 0) from a foreign file before it reads the version.
 *
 * <p>Type codes are part of the layout version: {@code ordinal() + 1} of {@link ColumnType} in
 * layout version 1 (the enum only ever grows at the end).
 */
public final class BatchLayout {

    /** {@code "NXZB"} read as a little-endian int: the first four bytes of every batch segment. */
    public static final int MAGIC = 'N' | 'X' << 8 | 'Z' << 16 | 'B' << 24;
    /** The layout version this code writes and reads. */
    public static final int VERSION = 1;
    /** The ready word's value once the segment is complete: {@code "READY!!\0"} as a little-endian long. */
    public static final long READY = 0x0021_2159_4441_4552L;
    /** Alignment and padding of every buffer (Arrow recommends 64). */
    public static final int ALIGNMENT = 64;

    /** int: {@link #MAGIC}. */
    public static final long MAGIC_OFFSET = 0;
    /** int: {@link #VERSION}. */
    public static final long VERSION_OFFSET = 4;
    /** long: the number of rows. */
    public static final long ROWS_OFFSET = 8;
    /** int: the number of columns. */
    public static final long COLUMNS_OFFSET = 16;
    /** int: flags, 0 in version 1. */
    public static final long FLAGS_OFFSET = 20;
    /** long: the size of the whole segment in bytes. */
    public static final long TOTAL_BYTES_OFFSET = 24;
    /** long: {@link #READY} once complete, 0 before. */
    public static final long READY_OFFSET = 32;
    /** long: where the first buffer starts. */
    public static final long DATA_OFFSET = 40;
    /** long: where the field names start. */
    public static final long NAMES_OFFSET = 48;
    /** Size of the fixed header; the column table starts here. */
    public static final long HEADER_BYTES = 64;

    /** Size of one column entry. */
    public static final long COLUMN_ENTRY_BYTES = 80;
    /** int, in a column entry: the type code. */
    public static final long COL_TYPE = 0;
    /** int, in a column entry: the child type code, 0 when not a LIST. */
    public static final long COL_CHILD_TYPE = 4;
    /** int, in a column entry: 1 if nullable. */
    public static final long COL_NULLABLE = 8;
    /** int, in a column entry: length of the name in UTF-8 bytes. */
    public static final long COL_NAME_LENGTH = 12;
    /** long, in a column entry: offset of the name. */
    public static final long COL_NAME_OFFSET = 16;
    /** long, in a column entry: number of null rows. */
    public static final long COL_NULL_COUNT = 24;
    /** long, in a column entry: offset of the validity bitmap. */
    public static final long COL_VALIDITY_OFFSET = 32;
    /** long, in a column entry: length of the validity bitmap, 0 if absent. */
    public static final long COL_VALIDITY_LENGTH = 40;
    /** long, in a column entry: offset of the int32 offsets. */
    public static final long COL_OFFSETS_OFFSET = 48;
    /** long, in a column entry: length of the offsets, 0 if absent. */
    public static final long COL_OFFSETS_LENGTH = 56;
    /** long, in a column entry: offset of the values. */
    public static final long COL_VALUES_OFFSET = 64;
    /** long, in a column entry: length of the values. */
    public static final long COL_VALUES_LENGTH = 72;

    private BatchLayout() {
    }

    /**
     * Where column {@code col}'s entry starts.
     *
     * @param col a column index
     * @return its offset in the segment
     */
    public static long columnEntry(int col) {
        return HEADER_BYTES + col * COLUMN_ENTRY_BYTES;
    }

    /**
     * {@code n} rounded up to a multiple of {@link #ALIGNMENT}.
     *
     * @param n a non-negative size
     * @return the padded size
     */
    public static long pad(long n) {
        return (n + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Bytes of a bitmap of {@code rows} bits.
     *
     * @param rows number of bits
     * @return {@code ceil(rows / 8)}
     */
    public static long bitmapBytes(long rows) {
        return (rows + 7) >>> 3;
    }

    /**
     * The layout-version-1 code of a type.
     *
     * @param type a type, or null
     * @return its code, 0 for null
     */
    public static int typeCode(ColumnType type) {
        return type == null ? 0 : type.ordinal() + 1;
    }

    /**
     * The type of a layout-version-1 code.
     *
     * @param code a code
     * @return the type, or null for 0 or an unknown code
     */
    public static ColumnType typeOf(int code) {
        ColumnType[] all = ColumnType.values();
        return code <= 0 || code > all.length ? null : all[code - 1];
    }

    /**
     * Where each buffer of a batch goes, given the exact buffer lengths.
     *
     * @param schema the schema (names are stored after the column table)
     * @param names the UTF-8 bytes of each field name
     * @param namesOffset where the names start
     * @param dataOffset where the first buffer starts
     * @param validityOffset per column, offset of the validity bitmap (its length 0 if none)
     * @param validityLength per column, exact length of the validity bitmap
     * @param offsetsOffset per column, offset of the offsets buffer
     * @param offsetsLength per column, exact length of the offsets buffer
     * @param valuesOffset per column, offset of the values buffer
     * @param valuesLength per column, exact length of the values buffer
     * @param totalBytes the size of the segment
     */
    public record Plan(Schema schema, byte[][] names, long namesOffset, long dataOffset,
                       long[] validityOffset, long[] validityLength, long[] offsetsOffset, long[] offsetsLength,
                       long[] valuesOffset, long[] valuesLength, long totalBytes) {
    }

    /**
     * Plans a segment: the header, the column table, the names, then for each column its validity
     * (if {@code validityLength[c] > 0}), offsets (if {@code offsetsLength[c] > 0}) and values buffers
     * in that order, each at a multiple of 64 and padded to one.
     *
     * @param schema the schema
     * @param validityLength per column, exact bytes of the validity bitmap, 0 for none
     * @param offsetsLength per column, exact bytes of the offsets, 0 for none
     * @param valuesLength per column, exact bytes of the values
     * @return the plan
     */
    public static Plan plan(Schema schema, long[] validityLength, long[] offsetsLength, long[] valuesLength) {
        int n = schema.size();
        byte[][] names = new byte[n][];
        long namesOffset = HEADER_BYTES + n * COLUMN_ENTRY_BYTES;
        long at = namesOffset;
        for (int c = 0; c < n; c++) {
            names[c] = schema.field(c).name().getBytes(StandardCharsets.UTF_8);
            at += names[c].length;
        }
        long dataOffset = pad(at);
        at = dataOffset;
        long[] vOff = new long[n];
        long[] oOff = new long[n];
        long[] valOff = new long[n];
        for (int c = 0; c < n; c++) {
            vOff[c] = at;
            at = Math.addExact(at, pad(validityLength[c]));
            oOff[c] = at;
            at = Math.addExact(at, pad(offsetsLength[c]));
            valOff[c] = at;
            at = Math.addExact(at, pad(valuesLength[c]));
        }
        return new Plan(schema, names, namesOffset, dataOffset, vOff, validityLength.clone(), oOff,
                offsetsLength.clone(), valOff, valuesLength.clone(), at);
    }

    /**
     * Whether the schema field needs a validity buffer in a built batch: exactly when it is nullable.
     *
     * @param field a field
     * @return true if nullable
     */
    public static boolean hasValidity(Field field) {
        return field.nullable();
    }
}
