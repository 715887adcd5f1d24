package dev.nexus.zerocopy.internal.arrow;

import static dev.nexus.zerocopy.internal.arrow.CDataLayout.POINTER_BYTES;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_FLAGS;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_FORMAT;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_NAME;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.SCHEMA_N_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.setPointerAt;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.setWord;

import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.MemorySegment;

/**
 * Fills an {@code ArrowSchema} with a {@link Schema}: a struct {@code "+s"} with one child per field,
 * a LIST field as {@code "+l"} with one non-nullable child {@code "item"}. Every string and child struct
 * lives in the export's {@link SideMemory}, freed when the consumer releases the root.
 */
public final class SchemaExporter {

    private SchemaExporter() {
    }

    /**
     * Exports a schema into the consumer's struct.
     *
     * @param schema the schema
     * @param target the consumer's {@code ArrowSchema}, {@link CDataLayout#SCHEMA_BYTES} bytes, checked
     *     by the caller
     */
    public static void export(Schema schema, MemorySegment target) {
        ExportTree tree = new ExportTree(ExportTree.Kind.SCHEMA, new SideMemory());
        try {
            ExportTree.Node root = tree.root();
            fill(tree, root.struct(), Formats.STRUCT, "", 0);
            int n = schema.size();
            MemorySegment children = tree.memory().allocate(n * POINTER_BYTES, POINTER_BYTES);
            setWord(root.struct(), SCHEMA_N_CHILDREN, n);
            setWord(root.struct(), SCHEMA_CHILDREN, children.address());
            for (int i = 0; i < n; i++) {
                Field field = schema.field(i);
                ExportTree.Node child = tree.addChild(root);
                setPointerAt(children, i, child.struct().address());
                long flags = field.nullable() ? CDataLayout.FLAG_NULLABLE : 0;
                fill(tree, child.struct(), field.type().arrowFormat(), field.name(), flags);
                if (field.type() == ColumnType.LIST) {
                    MemorySegment itemPointer = tree.memory().allocate(POINTER_BYTES, POINTER_BYTES);
                    ExportTree.Node item = tree.addChild(child);
                    setPointerAt(itemPointer, 0, item.struct().address());
                    setWord(child.struct(), SCHEMA_N_CHILDREN, 1);
                    setWord(child.struct(), SCHEMA_CHILDREN, itemPointer.address());
                    fill(tree, item.struct(), field.childType().arrowFormat(), Formats.LIST_ITEM, 0);
                }
            }
        } catch (RuntimeException | Error e) {
            tree.discard();
            throw e;
        }
        ArrowCounters.schemaExported();
        tree.publish(target, ArrowCounters::schemaReleased);
    }

    private static void fill(ExportTree tree, MemorySegment struct, String format, String name, long flags) {
        setWord(struct, SCHEMA_FORMAT, tree.memory().cString(format).address());
        setWord(struct, SCHEMA_NAME, tree.memory().cString(name).address());
        setWord(struct, SCHEMA_FLAGS, flags);
        // metadata, dictionary stay NULL; n_children and children stay 0/NULL unless set
    }
}
