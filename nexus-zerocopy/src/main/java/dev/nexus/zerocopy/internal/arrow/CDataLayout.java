package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The three structs of the Arrow C Data and C Stream interfaces, as the C ABI lays them out on a
 * 64-bit platform: every field is 8 bytes (an {@code int64_t} or a pointer), so there is no padding.
 * Owns every offset and every access to these structs.
 *
 * <pre>
 *  struct ArrowSchema (72 B)        struct ArrowArray (80 B)          struct ArrowArrayStream (40 B)
 *  +----+--------------------+      +----+----------------------+     +----+-----------------------+
 *  |  0 | const char* format |      |  0 | int64 length         |     |  0 | get_schema(s, out)    |
 *  |  8 | const char* name   |      |  8 | int64 null_count     |     |  8 | get_next(s, out)      |
 *  | 16 | const char* meta   |      | 16 | int64 offset         |     | 16 | get_last_error(s)     |
 *  | 24 | int64 flags        |      | 24 | int64 n_buffers      |     | 24 | release(s)            |
 *  | 32 | int64 n_children   |      | 32 | int64 n_children     |     | 32 | void* private_data    |
 *  | 40 | ArrowSchema** chld |      | 40 | const void** buffers |     +----+-----------------------+
 *  | 48 | ArrowSchema* dict  |      | 48 | ArrowArray** children|
 *  | 56 | release(s)         |      | 56 | ArrowArray* dict     |
 *  | 64 | void* private_data |      | 64 | release(a)           |
 *  +----+--------------------+      | 72 | void* private_data   |
 *                                   +----+----------------------+
 * </pre>
 *
 * <p>A struct is <em>released</em> when its {@code release} pointer is NULL. Pointers are read and
 * written as raw {@code long} addresses; the static initializer checks that the platform's pointers
 * are 8 bytes. Accesses are plain: a struct is handed between producer and consumer by a call
 * (export, import, a callback), and that call is the happens-before edge; nothing here races.
 */
public final class CDataLayout {

    private CDataLayout() {
    }

    // ---- ArrowSchema ------------------------------------------------------------------------------

    /** Bytes of an {@code ArrowSchema}. */
    public static final long SCHEMA_BYTES = 72;
    /** {@code const char* format}. */
    public static final long SCHEMA_FORMAT = 0;
    /** {@code const char* name}. */
    public static final long SCHEMA_NAME = 8;
    /** {@code const char* metadata}. */
    public static final long SCHEMA_METADATA = 16;
    /** {@code int64_t flags}. */
    public static final long SCHEMA_FLAGS = 24;
    /** {@code int64_t n_children}. */
    public static final long SCHEMA_N_CHILDREN = 32;
    /** {@code struct ArrowSchema** children}. */
    public static final long SCHEMA_CHILDREN = 40;
    /** {@code struct ArrowSchema* dictionary}. */
    public static final long SCHEMA_DICTIONARY = 48;
    /** {@code void (*release)(struct ArrowSchema*)}. */
    public static final long SCHEMA_RELEASE = 56;
    /** {@code void* private_data}. */
    public static final long SCHEMA_PRIVATE_DATA = 64;

    /** {@code ARROW_FLAG_DICTIONARY_ORDERED}. */
    public static final long FLAG_DICTIONARY_ORDERED = 1;
    /** {@code ARROW_FLAG_NULLABLE}: the field may hold nulls. */
    public static final long FLAG_NULLABLE = 2;
    /** {@code ARROW_FLAG_MAP_KEYS_SORTED}. */
    public static final long FLAG_MAP_KEYS_SORTED = 4;

    // ---- ArrowArray -------------------------------------------------------------------------------

    /** Bytes of an {@code ArrowArray}. */
    public static final long ARRAY_BYTES = 80;
    /** {@code int64_t length}. */
    public static final long ARRAY_LENGTH = 0;
    /** {@code int64_t null_count} ({@code -1}: not computed). */
    public static final long ARRAY_NULL_COUNT = 8;
    /** {@code int64_t offset}. */
    public static final long ARRAY_OFFSET = 16;
    /** {@code int64_t n_buffers}. */
    public static final long ARRAY_N_BUFFERS = 24;
    /** {@code int64_t n_children}. */
    public static final long ARRAY_N_CHILDREN = 32;
    /** {@code const void** buffers}. */
    public static final long ARRAY_BUFFERS = 40;
    /** {@code struct ArrowArray** children}. */
    public static final long ARRAY_CHILDREN = 48;
    /** {@code struct ArrowArray* dictionary}. */
    public static final long ARRAY_DICTIONARY = 56;
    /** {@code void (*release)(struct ArrowArray*)}. */
    public static final long ARRAY_RELEASE = 64;
    /** {@code void* private_data}. */
    public static final long ARRAY_PRIVATE_DATA = 72;

    // ---- ArrowArrayStream -------------------------------------------------------------------------

    /** Bytes of an {@code ArrowArrayStream}. */
    public static final long STREAM_BYTES = 40;
    /** {@code int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out)}. */
    public static final long STREAM_GET_SCHEMA = 0;
    /** {@code int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out)}. */
    public static final long STREAM_GET_NEXT = 8;
    /** {@code const char* (*get_last_error)(struct ArrowArrayStream*)}. */
    public static final long STREAM_GET_LAST_ERROR = 16;
    /** {@code void (*release)(struct ArrowArrayStream*)}. */
    public static final long STREAM_RELEASE = 24;
    /** {@code void* private_data}. */
    public static final long STREAM_PRIVATE_DATA = 32;

    /** Bytes of one pointer in a {@code buffers} or {@code children} array. */
    public static final long POINTER_BYTES = 8;
    /** Alignment of the structs we allocate (their fields are 8-byte words). */
    public static final long STRUCT_ALIGNMENT = 8;

    /** The NULL pointer as a raw address. */
    public static final long NULL = 0L;

    // ---- the same layouts as FFM StructLayouts (for the layout test and for documentation) -------

    /** {@code struct ArrowSchema} as an FFM layout. */
    public static final StructLayout ARROW_SCHEMA = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("format"),
            ValueLayout.ADDRESS.withName("name"),
            ValueLayout.ADDRESS.withName("metadata"),
            ValueLayout.JAVA_LONG.withName("flags"),
            ValueLayout.JAVA_LONG.withName("n_children"),
            ValueLayout.ADDRESS.withName("children"),
            ValueLayout.ADDRESS.withName("dictionary"),
            ValueLayout.ADDRESS.withName("release"),
            ValueLayout.ADDRESS.withName("private_data"));

    /** {@code struct ArrowArray} as an FFM layout. */
    public static final StructLayout ARROW_ARRAY = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("length"),
            ValueLayout.JAVA_LONG.withName("null_count"),
            ValueLayout.JAVA_LONG.withName("offset"),
            ValueLayout.JAVA_LONG.withName("n_buffers"),
            ValueLayout.JAVA_LONG.withName("n_children"),
            ValueLayout.ADDRESS.withName("buffers"),
            ValueLayout.ADDRESS.withName("children"),
            ValueLayout.ADDRESS.withName("dictionary"),
            ValueLayout.ADDRESS.withName("release"),
            ValueLayout.ADDRESS.withName("private_data"));

    /** {@code struct ArrowArrayStream} as an FFM layout. */
    public static final StructLayout ARROW_ARRAY_STREAM = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("get_schema"),
            ValueLayout.ADDRESS.withName("get_next"),
            ValueLayout.ADDRESS.withName("get_last_error"),
            ValueLayout.ADDRESS.withName("release"),
            ValueLayout.ADDRESS.withName("private_data"));

    static {
        if (ValueLayout.ADDRESS.byteSize() != POINTER_BYTES) {
            throw new ExceptionInInitializerError(
                    "the Arrow C Data Interface needs 8-byte pointers: pointer size=" + ValueLayout.ADDRESS.byteSize());
        }
    }

    // ---- accesses ----------------------------------------------------------------------------------

    /**
     * Reads an 8-byte field (an {@code int64_t} or a raw pointer).
     *
     * @param struct the struct
     * @param offset the field's offset
     * @return the field
     */
    public static long word(MemorySegment struct, long offset) {
        return struct.get(ValueLayout.JAVA_LONG, offset);
    }

    /**
     * Writes an 8-byte field (an {@code int64_t} or a raw pointer).
     *
     * @param struct the struct
     * @param offset the field's offset
     * @param value the new value
     */
    public static void setWord(MemorySegment struct, long offset, long value) {
        struct.set(ValueLayout.JAVA_LONG, offset, value);
    }

    /**
     * Reads entry {@code index} of a {@code buffers} or {@code children} pointer array.
     *
     * @param pointers the pointer array, at least {@code (index + 1) * 8} bytes
     * @param index the entry
     * @return the raw pointer
     */
    public static long pointerAt(MemorySegment pointers, long index) {
        return pointers.getAtIndex(ValueLayout.JAVA_LONG, index);
    }

    /**
     * Writes entry {@code index} of a {@code buffers} or {@code children} pointer array.
     *
     * @param pointers the pointer array
     * @param index the entry
     * @param address the raw pointer
     */
    public static void setPointerAt(MemorySegment pointers, long index, long address) {
        pointers.setAtIndex(ValueLayout.JAVA_LONG, index, address);
    }

    /**
     * Views {@code bytes} bytes of native memory at a raw address, reachable from any thread. The
     * caller vouches that the memory is there (it came from a producer's struct or from us).
     *
     * @param address the raw address, not NULL
     * @param bytes the bytes to view
     * @return a segment of global scope
     */
    public static MemorySegment at(long address, long bytes) {
        assert address != NULL;
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    /**
     * Reads a NUL-terminated UTF-8 string at a raw address.
     *
     * @param address the raw address; NULL reads as {@code null}
     * @return the string, or {@code null}
     */
    public static String string(long address) {
        if (address == NULL) {
            return null;
        }
        return MemorySegment.ofAddress(address).reinterpret(Long.MAX_VALUE).getString(0);
    }
}
