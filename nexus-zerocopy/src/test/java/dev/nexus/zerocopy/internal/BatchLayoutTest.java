package dev.nexus.zerocopy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every offset of the batch segment layout, as the ASCII diagram of {@link BatchLayout} draws it. */
class BatchLayoutTest {

    /** The header fields sit where the diagram puts them and fill exactly 64 bytes. */
    @Test
    void headerOffsets() {
        assertThat(BatchLayout.MAGIC_OFFSET).isZero();
        assertThat(BatchLayout.VERSION_OFFSET).isEqualTo(4);
        assertThat(BatchLayout.ROWS_OFFSET).isEqualTo(8);
        assertThat(BatchLayout.COLUMNS_OFFSET).isEqualTo(16);
        assertThat(BatchLayout.FLAGS_OFFSET).isEqualTo(20);
        assertThat(BatchLayout.TOTAL_BYTES_OFFSET).isEqualTo(24);
        assertThat(BatchLayout.READY_OFFSET).isEqualTo(32);
        assertThat(BatchLayout.DATA_OFFSET).isEqualTo(40);
        assertThat(BatchLayout.NAMES_OFFSET).isEqualTo(48);
        assertThat(BatchLayout.HEADER_BYTES).isEqualTo(64);
        assertThat(BatchLayout.READY_OFFSET % 8).as("the ready word is 8-aligned for its acquire/release").isZero();
    }

    /** The magic spells NXZB in memory and the ready word READY!! (little-endian). */
    @Test
    void magicAndReadyWordSpellTheirNames() {
        byte[] magic = {(byte) BatchLayout.MAGIC, (byte) (BatchLayout.MAGIC >> 8), (byte) (BatchLayout.MAGIC >> 16),
                (byte) (BatchLayout.MAGIC >> 24)};
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("NXZB");
        byte[] ready = new byte[7];
        for (int i = 0; i < 7; i++) {
            ready[i] = (byte) (BatchLayout.READY >>> (8 * i));
        }
        assertThat(new String(ready, StandardCharsets.US_ASCII)).isEqualTo("READY!!");
    }

    /** A column entry is 80 bytes with the fields at the diagram's offsets, entries back to back at 64. */
    @Test
    void columnEntryOffsets() {
        assertThat(BatchLayout.COLUMN_ENTRY_BYTES).isEqualTo(80);
        assertThat(BatchLayout.COL_TYPE).isZero();
        assertThat(BatchLayout.COL_CHILD_TYPE).isEqualTo(4);
        assertThat(BatchLayout.COL_NULLABLE).isEqualTo(8);
        assertThat(BatchLayout.COL_NAME_LENGTH).isEqualTo(12);
        assertThat(BatchLayout.COL_NAME_OFFSET).isEqualTo(16);
        assertThat(BatchLayout.COL_NULL_COUNT).isEqualTo(24);
        assertThat(BatchLayout.COL_VALIDITY_OFFSET).isEqualTo(32);
        assertThat(BatchLayout.COL_VALIDITY_LENGTH).isEqualTo(40);
        assertThat(BatchLayout.COL_OFFSETS_OFFSET).isEqualTo(48);
        assertThat(BatchLayout.COL_OFFSETS_LENGTH).isEqualTo(56);
        assertThat(BatchLayout.COL_VALUES_OFFSET).isEqualTo(64);
        assertThat(BatchLayout.COL_VALUES_LENGTH).isEqualTo(72);
        assertThat(BatchLayout.columnEntry(0)).isEqualTo(64);
        assertThat(BatchLayout.columnEntry(3)).isEqualTo(64 + 3 * 80);
    }

    /** Buffers follow the names in column order (validity, offsets, values), each 64-aligned and padded. */
    @Test
    void planPlacesEveryBuffer() {
        Schema schema = Schema.of(Field.of("id", ColumnType.INT64, false), Field.of("name", ColumnType.UTF8, true));
        // 10 rows: id values 80 B; name validity 2 B, offsets 44 B, values 13 B
        BatchLayout.Plan plan = BatchLayout.plan(schema, new long[] {0, 2}, new long[] {0, 44}, new long[] {80, 13});
        assertThat(plan.namesOffset()).isEqualTo(64 + 2 * 80);
        assertThat(plan.dataOffset()).isEqualTo(256); // names end at 224 + 6 = 230, padded to 256
        // id: no validity, no offsets, values [256, 336) padded to 384;
        // name: validity [384, 386) padded to 448, offsets [448, 492) padded to 512, values [512, 525) to 576
        assertThat(plan.validityOffset()).containsExactly(256, 384);
        assertThat(plan.validityLength()).containsExactly(0, 2);
        assertThat(plan.offsetsOffset()).containsExactly(256, 448);
        assertThat(plan.valuesOffset()).containsExactly(256, 512);
        assertThat(plan.totalBytes()).isEqualTo(576);
    }

    /** Padding rounds up to 64 and bitmaps take a bit per row. */
    @Test
    void paddingAndBitmaps() {
        assertThat(BatchLayout.pad(0)).isZero();
        assertThat(BatchLayout.pad(1)).isEqualTo(64);
        assertThat(BatchLayout.pad(64)).isEqualTo(64);
        assertThat(BatchLayout.pad(65)).isEqualTo(128);
        assertThat(BatchLayout.bitmapBytes(0)).isZero();
        assertThat(BatchLayout.bitmapBytes(1)).isEqualTo(1);
        assertThat(BatchLayout.bitmapBytes(8)).isEqualTo(1);
        assertThat(BatchLayout.bitmapBytes(9)).isEqualTo(2);
    }

    /** Type codes are ordinal + 1 and round-trip; 0 and unknown codes are no type. */
    @Test
    void typeCodes() {
        for (ColumnType type : ColumnType.values()) {
            assertThat(BatchLayout.typeOf(BatchLayout.typeCode(type))).isEqualTo(type);
        }
        assertThat(BatchLayout.typeCode(ColumnType.INT8)).isEqualTo(1);
        assertThat(BatchLayout.typeCode(ColumnType.LIST)).isEqualTo(11);
        assertThat(BatchLayout.typeOf(0)).isNull();
        assertThat(BatchLayout.typeOf(12)).isNull();
    }
}
