package dev.nexus.zerocopy.internal.arrow;

import static dev.nexus.zerocopy.internal.arrow.CDataLayout.NULL;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_BYTES;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_DICTIONARY;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_FLAGS;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_FORMAT;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_NAME;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_N_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_RELEASE;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.word;

import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a producer's {@code ArrowSchema} into a {@link Schema}: a struct {@code "+s"} whose children
 * are columns of the supported types. Does not release the struct (the caller does, once, whatever
 * happens).
 */
public final class SchemaImporter {

    /** The formats a column may have, for messages. */
    private static final String SUPPORTED = "c s i l f g b u z tsu:UTC tsu: +l";

    private SchemaImporter() {
    }

    /**
     * Parses a record batch schema.
     *
     * @param schema the producer's {@code ArrowSchema}, {@link CDataLayout#SCHEMA_BYTES} bytes, not released
     * @return the schema
     * @throws IllegalArgumentException naming the rule and the value if the struct is not a record
     *     batch of supported columns
     */
    public static Schema parse(MemorySegment schema) {
        if (word(schema, SCHEMA_RELEASE) == NULL) {
            throw new IllegalArgumentException("ArrowSchema at 0x" + Long.toHexString(schema.address())
                    + " is released (release is NULL): nothing to import");
        }
        String format = CDataLayout.string(word(schema, SCHEMA_FORMAT));
        if (!Formats.STRUCT.equals(format)) {
            throw new IllegalArgumentException("a record batch's ArrowSchema must have format '+s' (a struct of"
                    + " columns): format=" + quote(format));
        }
        checkNoDictionary(schema, "the record batch");
        long n = word(schema, SCHEMA_N_CHILDREN);
        MemorySegment children = children(schema, n, "the record batch");
        List<Field> fields = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) {
            fields.add(field(child(children, i, "the record batch"), i));
        }
        return Schema.of(fields);
    }

    private static Field field(MemorySegment child, int index) {
        String rawName = CDataLayout.string(word(child, SCHEMA_NAME));
        String name = rawName == null || rawName.isEmpty() ? "column" + index : rawName;
        String what = "column " + index + " '" + name + "'";
        if (word(child, SCHEMA_RELEASE) == NULL) {
            throw new IllegalArgumentException("the ArrowSchema of " + what + " is released (release is NULL)");
        }
        checkNoDictionary(child, what);
        String format = CDataLayout.string(word(child, SCHEMA_FORMAT));
        ColumnType type = Formats.typeOf(format);
        if (type == null) {
            throw new IllegalArgumentException(what + " has format " + quote(format)
                    + ", which no column type has (supported: " + SUPPORTED + ")");
        }
        boolean nullable = (word(child, SCHEMA_FLAGS) & CDataLayout.FLAG_NULLABLE) != 0;
        long n = word(child, SCHEMA_N_CHILDREN);
        if (type != ColumnType.LIST) {
            if (n != 0) {
                throw new IllegalArgumentException(what + " of format " + quote(format)
                        + " must have no children: n_children=" + n);
            }
            return Field.of(name, type, nullable);
        }
        if (n != 1) {
            throw new IllegalArgumentException(what + " (a list, '+l') must have exactly one child: n_children=" + n);
        }
        MemorySegment item = child(children(child, n, what), 0, what);
        checkNoDictionary(item, "the items of " + what);
        String itemFormat = CDataLayout.string(word(item, SCHEMA_FORMAT));
        ColumnType itemType = Formats.typeOf(itemFormat);
        if (itemType == null || !itemType.isListChild()) {
            throw new IllegalArgumentException("the items of " + what + " have format " + quote(itemFormat)
                    + "; a list's items must be a byte-aligned fixed-width type (c s i l f g tsu:UTC)");
        }
        if (word(item, SCHEMA_N_CHILDREN) != 0) {
            throw new IllegalArgumentException("the items of " + what + " must have no children: n_children="
                    + word(item, SCHEMA_N_CHILDREN));
        }
        return Field.list(name, itemType, nullable);
    }

    private static MemorySegment children(MemorySegment struct, long n, String what) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the ArrowSchema of " + what + " has n_children=" + n);
        }
        long children = word(struct, SCHEMA_CHILDREN);
        if (n > 0 && children == NULL) {
            throw new IllegalArgumentException("the ArrowSchema of " + what + " has n_children=" + n
                    + " but children is NULL");
        }
        return n == 0 ? MemorySegment.NULL : CDataLayout.at(children, n * CDataLayout.POINTER_BYTES);
    }

    private static MemorySegment child(MemorySegment children, int i, String what) {
        long p = CDataLayout.pointerAt(children, i);
        if (p == NULL) {
            throw new IllegalArgumentException("the ArrowSchema of " + what + " has a NULL child at index " + i);
        }
        return CDataLayout.at(p, SCHEMA_BYTES);
    }

    private static void checkNoDictionary(MemorySegment struct, String what) {
        if (word(struct, SCHEMA_DICTIONARY) != NULL) {
            throw new IllegalArgumentException(what + " is dictionary-encoded; dictionaries are not supported");
        }
    }

    private static String quote(String s) {
        return s == null ? "NULL" : "'" + s + "'";
    }
}
