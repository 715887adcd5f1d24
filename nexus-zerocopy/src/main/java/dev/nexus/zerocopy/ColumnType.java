package dev.nexus.zerocopy;

/**
 * The type of a column, with its Arrow physical layout. Values are stored in the platform's native
 * byte order, which is little-endian on every platform Nexus supports (Arrow's default).
 *
 * <ul>
 *   <li>INT8, INT16, INT32, INT64, FLOAT32, FLOAT64: a values buffer of {@link #byteWidth()} bytes per
 *       row;</li>
 *   <li>BOOL: a values bitmap, one bit per row, least significant bit first;</li>
 *   <li>TIMESTAMP: int64 microseconds since the Unix epoch, UTC (Arrow {@code tsu:UTC});</li>
 *   <li>UTF8, BINARY: int32 offsets ({@code rows + 1} of them) into a values buffer of bytes;</li>
 *   <li>LIST: int32 offsets into a child values buffer of a fixed-width child type
 *       ({@link Field#childType()}).</li>
 * </ul>
 * Every column may also have a validity bitmap (bit set = value present), least significant bit
 * first.
 */
public enum ColumnType {
    /** Signed 8-bit integer (Arrow {@code c}). */
    INT8(1, "c"),
    /** Signed 16-bit integer (Arrow {@code s}). */
    INT16(2, "s"),
    /** Signed 32-bit integer (Arrow {@code i}). */
    INT32(4, "i"),
    /** Signed 64-bit integer (Arrow {@code l}). */
    INT64(8, "l"),
    /** IEEE 754 single precision (Arrow {@code f}). */
    FLOAT32(4, "f"),
    /** IEEE 754 double precision (Arrow {@code g}). */
    FLOAT64(8, "g"),
    /** Boolean, bit-packed (Arrow {@code b}). */
    BOOL(0, "b"),
    /** UTF-8 string with int32 offsets (Arrow {@code u}). */
    UTF8(0, "u"),
    /** Bytes with int32 offsets (Arrow {@code z}). */
    BINARY(0, "z"),
    /** Microseconds since the Unix epoch, UTC, as int64 (Arrow {@code tsu:UTC}). */
    TIMESTAMP(8, "tsu:UTC"),
    /** List of a fixed-width child type with int32 offsets (Arrow {@code +l}). */
    LIST(0, "+l");

    private final int byteWidth;
    private final String arrowFormat;

    ColumnType(int byteWidth, String arrowFormat) {
        this.byteWidth = byteWidth;
        this.arrowFormat = arrowFormat;
    }

    /**
     * Bytes per value of a byte-aligned fixed-width type; 0 for BOOL (bit-packed) and for the
     * variable-width types UTF8, BINARY and LIST.
     *
     * @return the width in bytes, or 0
     */
    public int byteWidth() {
        return byteWidth;
    }

    /**
     * Whether every value has the same size: the integer and float types, TIMESTAMP and BOOL (one
     * bit).
     *
     * @return true for fixed-width types
     */
    public boolean isFixedWidth() {
        return this != UTF8 && this != BINARY && this != LIST;
    }

    /**
     * Whether the type has an int32 offsets buffer: UTF8, BINARY and LIST.
     *
     * @return true for variable-width types
     */
    public boolean hasOffsets() {
        return !isFixedWidth();
    }

    /**
     * Whether this type may be the child of a LIST: a byte-aligned fixed-width type (not BOOL, not
     * a variable-width type).
     *
     * @return true if {@code Field.list(name, this, nullable)} accepts it
     */
    public boolean isListChild() {
        return byteWidth > 0;
    }

    /**
     * The Arrow C Data Interface format string of this type; for LIST, {@code "+l"} (the child has
     * its own format).
     *
     * @return the format string
     */
    public String arrowFormat() {
        return arrowFormat;
    }
}
