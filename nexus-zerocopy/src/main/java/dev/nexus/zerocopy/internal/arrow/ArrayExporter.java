package dev.nexus.zerocopy.internal.arrow;

import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_BUFFERS;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_LENGTH;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_NULL_COUNT;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_N_BUFFERS;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.ARRAY_N_CHILDREN;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.NULL;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.POINTER_BYTES;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.setPointerAt;
import static dev.nexus.zerocopy.internal.arrow.CDataLayout.setWord;

import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.ColumnData;
import dev.nexus.zerocopy.internal.Hold;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Fills an {@code ArrowArray} with a {@link ColumnBatch}: a struct array (one child per column) whose
 * buffers point into the batch's segment. Takes a hold on the batch, dropped by the consumer's release.
 *
 * <p>A slice (batch offset {@code o > 0}) is exported with {@code offset = 0} and every buffer pointer
 * moved to row {@code o}, because Arrow Java ignores {@code ArrowArray.offset}:
 * <ul>
 *   <li>fixed-width values: {@code values + o * width}; int32 offsets: {@code offsets + 4 * o}, so
 *       they may start above 0 (the spec allows it) while the data buffer stays whole, except for
 *       UTF8/BINARY, see {@link #exportColumn};</li>
 *   <li>bitmaps (validity, BOOL values): {@code bitmap + o / 8} if {@code o % 8 == 0}; otherwise a
 *       re-based copy in the export's side memory, freed on release: the one copy of an export.</li>
 * </ul>
 */
public final class ArrayExporter {

    private ArrayExporter() {
    }

    /**
     * Exports a batch into the consumer's struct.
     *
     * @param batch the batch
     * @param target the consumer's {@code ArrowArray}, {@link CDataLayout#ARRAY_BYTES} bytes, checked by
     *     the caller
     * @return the hold the export took (released by the consumer's release)
     * @throws IllegalStateException if the batch is closed and its memory reclaimed
     */
    public static Hold export(ColumnBatch batch, MemorySegment target) {
        Hold hold = BatchAccess.retain(batch, "export");
        ExportTree tree;
        try {
            tree = new ExportTree(ExportTree.Kind.ARRAY, new SideMemory());
        } catch (RuntimeException | Error e) {
            hold.release();
            throw e;
        }
        try {
            long rows = batch.rows();
            long offset = batch.offset();
            int n = batch.schema().size();
            ExportTree.Node root = tree.root();
            MemorySegment rootBuffers = tree.memory().allocate(POINTER_BYTES, POINTER_BYTES); // validity: NULL
            MemorySegment children = tree.memory().allocate(Math.max(1, n) * POINTER_BYTES, POINTER_BYTES);
            setWord(root.struct(), ARRAY_LENGTH, rows);
            setWord(root.struct(), ARRAY_NULL_COUNT, 0);
            setWord(root.struct(), ARRAY_N_BUFFERS, 1);
            setWord(root.struct(), ARRAY_BUFFERS, rootBuffers.address());
            setWord(root.struct(), ARRAY_N_CHILDREN, n);
            setWord(root.struct(), ARRAY_CHILDREN, children.address());
            for (int col = 0; col < n; col++) {
                ExportTree.Node child = tree.addChild(root);
                setPointerAt(children, col, child.struct().address());
                exportColumn(tree, child, BatchAccess.column(batch, col), offset, rows);
            }
        } catch (RuntimeException | Error e) {
            tree.discard();
            hold.release();
            throw e;
        }
        ArrowCounters.arrayExported(hold);
        tree.publish(target, () -> {
            try {
                hold.release();
            } finally {
                ArrowCounters.arrayReleased(hold);
            }
        });
        return hold;
    }

    /**
     * Fills one column's struct. UTF8/BINARY offsets of a slice that do not start at 0 are exported
     * as they are (the data buffer stays whole and the offsets index into it), as the spec allows.
     */
    private static void exportColumn(ExportTree tree, ExportTree.Node node, ColumnData column, long offset, long rows) {
        ColumnType type = column.type();
        MemorySegment struct = node.struct();
        int nBuffers = Formats.bufferCount(type);
        MemorySegment buffers = tree.memory().allocate(nBuffers * POINTER_BYTES, POINTER_BYTES);
        setWord(struct, ARRAY_LENGTH, rows);
        setWord(struct, ARRAY_NULL_COUNT, column.hasValidity() ? column.nullCount() : 0);
        setWord(struct, ARRAY_N_BUFFERS, nBuffers);
        setWord(struct, ARRAY_BUFFERS, buffers.address());
        setPointerAt(buffers, 0, column.hasValidity() ? bitmapAt(tree, column.validity(), offset, rows) : NULL);
        switch (type) {
            case BOOL -> setPointerAt(buffers, 1, bitmapAt(tree, column.values(), offset, rows));
            case UTF8, BINARY -> {
                setPointerAt(buffers, 1, column.offsets().address() + offset * Integer.BYTES);
                setPointerAt(buffers, 2, column.values().address());
            }
            case LIST -> {
                MemorySegment offsets = column.offsets();
                setPointerAt(buffers, 1, offsets.address() + offset * Integer.BYTES);
                // the child: the whole child values buffer, as long as the last offset of the slice says
                long childLength = offsets.getAtIndex(ValueLayout.JAVA_INT, offset + rows);
                MemorySegment childPointer = tree.memory().allocate(POINTER_BYTES, POINTER_BYTES);
                ExportTree.Node child = tree.addChild(node);
                setPointerAt(childPointer, 0, child.struct().address());
                setWord(struct, ARRAY_N_CHILDREN, 1);
                setWord(struct, ARRAY_CHILDREN, childPointer.address());
                MemorySegment childBuffers = tree.memory().allocate(2 * POINTER_BYTES, POINTER_BYTES);
                setPointerAt(childBuffers, 0, NULL);
                setPointerAt(childBuffers, 1, column.values().address());
                setWord(child.struct(), ARRAY_LENGTH, childLength);
                setWord(child.struct(), ARRAY_NULL_COUNT, 0);
                setWord(child.struct(), ARRAY_N_BUFFERS, 2);
                setWord(child.struct(), ARRAY_BUFFERS, childBuffers.address());
            }
            default -> setPointerAt(buffers, 1, column.values().address() + offset * type.byteWidth());
        }
    }

    /** A bitmap from row {@code offset}: in place at a byte boundary, else a re-based copy. */
    private static long bitmapAt(ExportTree tree, MemorySegment bitmap, long offset, long rows) {
        if ((offset & 7) == 0) {
            return bitmap.address() + (offset >>> 3);
        }
        return Bitmaps.rebase(bitmap, offset, rows, tree.memory()).address();
    }
}
