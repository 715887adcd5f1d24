package dev.nexus.zerocopy.internal.arrow;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Every offset of the three C structs, as drawn in {@link CDataLayout}'s diagram and as the C ABI lays them out. */
class CDataLayoutTest {

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }

    /** ArrowSchema: 72 bytes, nine 8-byte fields in declaration order. */
    @Test
    void arrowSchema() {
        StructLayout s = CDataLayout.ARROW_SCHEMA;
        assertThat(s.byteSize()).isEqualTo(CDataLayout.SCHEMA_BYTES).isEqualTo(72);
        assertThat(CDataLayout.SCHEMA_FORMAT).isEqualTo(offset(s, "format")).isEqualTo(0);
        assertThat(CDataLayout.SCHEMA_NAME).isEqualTo(offset(s, "name")).isEqualTo(8);
        assertThat(CDataLayout.SCHEMA_METADATA).isEqualTo(offset(s, "metadata")).isEqualTo(16);
        assertThat(CDataLayout.SCHEMA_FLAGS).isEqualTo(offset(s, "flags")).isEqualTo(24);
        assertThat(CDataLayout.SCHEMA_N_CHILDREN).isEqualTo(offset(s, "n_children")).isEqualTo(32);
        assertThat(CDataLayout.SCHEMA_CHILDREN).isEqualTo(offset(s, "children")).isEqualTo(40);
        assertThat(CDataLayout.SCHEMA_DICTIONARY).isEqualTo(offset(s, "dictionary")).isEqualTo(48);
        assertThat(CDataLayout.SCHEMA_RELEASE).isEqualTo(offset(s, "release")).isEqualTo(56);
        assertThat(CDataLayout.SCHEMA_PRIVATE_DATA).isEqualTo(offset(s, "private_data")).isEqualTo(64);
        assertThat(CDataLayout.FLAG_DICTIONARY_ORDERED).isEqualTo(1);
        assertThat(CDataLayout.FLAG_NULLABLE).isEqualTo(2);
        assertThat(CDataLayout.FLAG_MAP_KEYS_SORTED).isEqualTo(4);
    }

    /** ArrowArray: 80 bytes, ten 8-byte fields in declaration order. */
    @Test
    void arrowArray() {
        StructLayout a = CDataLayout.ARROW_ARRAY;
        assertThat(a.byteSize()).isEqualTo(CDataLayout.ARRAY_BYTES).isEqualTo(80);
        assertThat(CDataLayout.ARRAY_LENGTH).isEqualTo(offset(a, "length")).isEqualTo(0);
        assertThat(CDataLayout.ARRAY_NULL_COUNT).isEqualTo(offset(a, "null_count")).isEqualTo(8);
        assertThat(CDataLayout.ARRAY_OFFSET).isEqualTo(offset(a, "offset")).isEqualTo(16);
        assertThat(CDataLayout.ARRAY_N_BUFFERS).isEqualTo(offset(a, "n_buffers")).isEqualTo(24);
        assertThat(CDataLayout.ARRAY_N_CHILDREN).isEqualTo(offset(a, "n_children")).isEqualTo(32);
        assertThat(CDataLayout.ARRAY_BUFFERS).isEqualTo(offset(a, "buffers")).isEqualTo(40);
        assertThat(CDataLayout.ARRAY_CHILDREN).isEqualTo(offset(a, "children")).isEqualTo(48);
        assertThat(CDataLayout.ARRAY_DICTIONARY).isEqualTo(offset(a, "dictionary")).isEqualTo(56);
        assertThat(CDataLayout.ARRAY_RELEASE).isEqualTo(offset(a, "release")).isEqualTo(64);
        assertThat(CDataLayout.ARRAY_PRIVATE_DATA).isEqualTo(offset(a, "private_data")).isEqualTo(72);
    }

    /** ArrowArrayStream: 40 bytes, four function pointers then private_data. */
    @Test
    void arrowArrayStream() {
        StructLayout s = CDataLayout.ARROW_ARRAY_STREAM;
        assertThat(s.byteSize()).isEqualTo(CDataLayout.STREAM_BYTES).isEqualTo(40);
        assertThat(CDataLayout.STREAM_GET_SCHEMA).isEqualTo(offset(s, "get_schema")).isEqualTo(0);
        assertThat(CDataLayout.STREAM_GET_NEXT).isEqualTo(offset(s, "get_next")).isEqualTo(8);
        assertThat(CDataLayout.STREAM_GET_LAST_ERROR).isEqualTo(offset(s, "get_last_error")).isEqualTo(16);
        assertThat(CDataLayout.STREAM_RELEASE).isEqualTo(offset(s, "release")).isEqualTo(24);
        assertThat(CDataLayout.STREAM_PRIVATE_DATA).isEqualTo(offset(s, "private_data")).isEqualTo(32);
    }

    /** The accessors read and write where the offsets say; strings are NUL-terminated UTF-8. */
    @Test
    void accessors() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
            CDataLayout.setWord(array, CDataLayout.ARRAY_RELEASE, 0x1234);
            assertThat(array.get(ValueLayout.JAVA_LONG, 64)).isEqualTo(0x1234);
            assertThat(CDataLayout.word(array, CDataLayout.ARRAY_RELEASE)).isEqualTo(0x1234);
            MemorySegment pointers = arena.allocate(24, 8);
            CDataLayout.setPointerAt(pointers, 2, 77);
            assertThat(pointers.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(77);
            assertThat(CDataLayout.pointerAt(pointers, 2)).isEqualTo(77);
            MemorySegment text = arena.allocateFrom("+s \u00e9");
            assertThat(CDataLayout.string(text.address())).isEqualTo("+s \u00e9");
            assertThat(CDataLayout.string(CDataLayout.NULL)).isNull();
            assertThat(CDataLayout.at(array.address(), 80).byteSize()).isEqualTo(80);
        }
    }
}
