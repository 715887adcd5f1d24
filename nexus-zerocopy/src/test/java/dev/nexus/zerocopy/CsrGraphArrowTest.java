package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.arrow.ArrowExport;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.Test;

/**
 * The CSR adjacency exported to Arrow Java as a {@code List<Int64>} column: Arrow reads the graph's
 * offsets and, for sorted edges, the edge batch's destination column itself; no copy on either side.
 */
class CsrGraphArrowTest {

    /** Arrow Java reads every vertex's neighbours in place, and its release lets the graph's memory go. */
    @Test
    void listBatchIsReadInPlaceByArrowJava() {
        PoisoningAllocator allocator = new PoisoningAllocator();
        EpochDomain domain = EpochDomain.builder().name("csr-arrow").build();
        long[] src = {0, 0, 1, 3, 3, 3};
        long[] dst = {1, 2, 2, 0, 1, 4};
        Schema schema = Schema.of(Field.of("src", ColumnType.INT64, false), Field.of("dst", ColumnType.INT64, false));
        try (BufferAllocator arrow = new RootAllocator()) {
            try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, allocator, schema, src.length);
                    ColumnBatch edges = b.setInt64(0, src).setInt64(1, dst).build();
                    CsrGraph graph = CsrGraph.fromEdges(edges, 0, 1, allocator);
                    ColumnBatch list = graph.toListBatch("out");
                    ArrowArray array = ArrowArray.allocateNew(arrow);
                    ArrowSchema arrowSchema = ArrowSchema.allocateNew(arrow)) {
                ArrowExport.exportBatch(list, MemorySegment.ofAddress(array.memoryAddress()),
                        MemorySegment.ofAddress(arrowSchema.memoryAddress()));
                try (VectorSchemaRoot root = Data.importVectorSchemaRoot(arrow, array, arrowSchema, null)) {
                    assertThat(root.getRowCount()).isEqualTo(5);
                    ListVector out = (ListVector) root.getVector("out");
                    BigIntVector values = (BigIntVector) out.getDataVector();
                    assertThat(values.getDataBuffer().memoryAddress()).as("Arrow reads the dst column in place")
                            .isEqualTo(edges.values(1).address());
                    assertThat(out.getOffsetBuffer().memoryAddress()).as("and the graph's offsets")
                            .isEqualTo(graph.offsets().address());
                    assertThat(out.getObject(0)).isEqualTo(List.of(1L, 2L));
                    assertThat(out.getObject(1)).isEqualTo(List.of(2L));
                    assertThat(out.getObject(2)).isEqualTo(List.of());
                    assertThat(out.getObject(3)).isEqualTo(List.of(0L, 1L, 4L));
                    assertThat(out.getObject(4)).isEqualTo(List.of());
                }
            }
        }
        // the list batch's release reaches the graph through domain.defer: let it run (and retire the
        // graph's memory) while the domain is open; close() then frees what is pending
        domain.barrier();
        domain.close();
        assertThat(allocator.doubleFrees()).isZero();
        assertThat(allocator.live()).as("edges and offsets freed once Arrow and the graph let go").isZero();
    }
}
