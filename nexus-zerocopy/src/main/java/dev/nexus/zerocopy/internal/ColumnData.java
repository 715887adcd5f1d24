package dev.nexus.zerocopy.internal;

import dev.nexus.zerocopy.ColumnType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The Arrow buffers of one column as a batch sees them. The buffers are whole (as allocated or as
 * produced by a foreign producer); the batch's rows are the {@code length} rows starting at the batch's
 * {@code offset()} inside them.
 *
 * @param type the column type
 * @param childType the LIST child type, null otherwise
 * @param length the number of rows of the batch
 * @param nullCount the number of null rows among them; an importer may pass -1 (Arrow's "unknown"),
 *     and the batch counts them from the bitmap on first use
 * @param validity the validity bitmap (bit set = present, LSB first), or {@code MemorySegment.NULL}
 * @param offsets the int32 offsets (UTF8, BINARY, LIST), or {@code MemorySegment.NULL}
 * @param values the values (fixed width), the BOOL bitmap, the bytes (UTF8, BINARY) or the child
 *     values (LIST)
 */
public record ColumnData(ColumnType type, ColumnType childType, long length, long nullCount,
                         MemorySegment validity, MemorySegment offsets, MemorySegment values) {

    /**
     * Checks the components are present.
     *
     * @param type the column type
     * @param childType the LIST child type, null otherwise
     * @param length the number of rows
     * @param nullCount the number of nulls
     * @param validity the validity bitmap or {@code MemorySegment.NULL}
     * @param offsets the offsets or {@code MemorySegment.NULL}
     * @param values the values
     * @throws NullPointerException if a component other than childType is null
     */
    public ColumnData {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(validity, "validity");
        Objects.requireNonNull(offsets, "offsets");
        Objects.requireNonNull(values, "values");
    }

    /**
     * Whether the column has a validity bitmap.
     *
     * @return true unless {@code validity} is {@code MemorySegment.NULL}
     */
    public boolean hasValidity() {
        return validity.address() != 0 || validity.byteSize() != 0;
    }
}
