package dev.nexus.zerocopy.internal.arrow;

import dev.nexus.zerocopy.ColumnType;

/**
 * Arrow C Data Interface format strings of the column types ({@link ColumnType#arrowFormat()}) and
 * back.
 */
public final class Formats {

    /** A struct (our record batch): one child per column. */
    public static final String STRUCT = "+s";
    /** Naive microsecond timestamps, as DuckDB exports its TIMESTAMP: read as UTC. */
    public static final String TIMESTAMP_MICROS_NAIVE = "tsu:";
    /** Name of a list's child field (Arrow's convention). */
    public static final String LIST_ITEM = "item";

    private static final ColumnType[] TYPES = ColumnType.values();

    private Formats() {
    }

    /**
     * The column type of a format string.
     *
     * @param format the format
     * @return the type, or {@code null} if no column type has this format
     */
    public static ColumnType typeOf(String format) {
        if (TIMESTAMP_MICROS_NAIVE.equals(format)) {
            return ColumnType.TIMESTAMP;
        }
        for (ColumnType type : TYPES) {
            if (type.arrowFormat().equals(format)) {
                return type;
            }
        }
        return null;
    }

    /**
     * The buffers an array of a type has (validity first): 2 for fixed width and BOOL and LIST, 3 for
     * UTF8 and BINARY.
     *
     * @param type the type
     * @return {@code n_buffers}
     */
    public static int bufferCount(ColumnType type) {
        return type == ColumnType.UTF8 || type == ColumnType.BINARY ? 3 : 2;
    }
}
