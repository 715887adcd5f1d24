package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.arrow.ArrowExport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.c.ArrowArray;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Handing a batch of {@code rows} rows of (int64 {@code id}, float64 {@code score}, utf8 {@code name})
 * to Arrow Java and summing {@code score} there: the time of one hand-off plus the sum, per contender
 * ({@code contender}):
 * <ul>
 *   <li>{@code C_DATA}: the batch is a nexus-zerocopy {@link ColumnBatch};
 *       {@link ArrowExport#exportBatch} fills Arrow Java's {@code ArrowArray}/{@code ArrowSchema},
 *       {@code Data.importVectorSchemaRoot} reads the batch's buffers in place (no copy), the sum runs,
 *       the root is closed (our release callback drops the export's hold);
 *   <li>{@code IPC_STREAM}: the data is already in Arrow Java vectors; the hand-off writes them as an
 *       Arrow IPC stream ({@code ArrowStreamWriter}) into memory and reads them back
 *       ({@code ArrowStreamReader}), the way two engines that share no memory hand batches over;
 *   <li>{@code COPY_VECTORS}: the batch is copied into freshly allocated Arrow Java vectors with bulk
 *       {@code MemorySegment.copy} of each buffer (the cheapest possible copy: no per-value calls),
 *       then summed and freed;
 *   <li>{@code SUM_ONLY}: the baseline, no hand-off: the sum over Arrow vectors that already hold the
 *       data. {@code contender − SUM_ONLY} is the cost of the hand-off itself.
 * </ul>
 * The sum is the same loop over {@code Float8Vector.get} in all of them; it is the floor every contender
 * pays. The report gives each contender's time, its ratio to {@code C_DATA}, and its hand-off cost
 * (time minus {@code SUM_ONLY}) with the ratio of those costs. One thread; the batch
 * and the Arrow source vectors are built once per trial.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar ArrowHandoffBenchmark -rf json -rff arrow.json};
 * quick form: {@code ... ArrowHandoffBenchmark -wi 2 -w 1s -i 3 -r 1s -f 1}; allocation profile:
 * {@code ... -prof gc}. Arrow Java needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED}, which the
 * forks get from {@link Fork#jvmArgsAppend()}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"})
@Threads(1)
@State(Scope.Thread)
public class ArrowHandoffBenchmark {

    /** How the batch reaches Arrow Java. */
    public enum Contender {
        /** Export through the C Data Interface: Arrow reads the batch in place. */
        C_DATA,
        /** Arrow IPC stream written to memory and read back. */
        IPC_STREAM,
        /** Bulk copy of every buffer into new Arrow vectors. */
        COPY_VECTORS,
        /** Baseline: no hand-off, the sum over vectors that already hold the data. */
        SUM_ONLY
    }

    static final Schema SCHEMA = Schema.of(Field.of("id", ColumnType.INT64, false),
            Field.of("score", ColumnType.FLOAT64, false), Field.of("name", ColumnType.UTF8, false));

    @Param
    Contender contender;

    @Param("1000000")
    int rows;

    private EpochDomain domain;
    private ColumnBatch batch;
    private BufferAllocator arrow;
    private VectorSchemaRoot source;
    private final Bytes ipc = new Bytes();

    /** Builds the batch (and, for IPC, its copy in Arrow vectors). */
    @Setup(Level.Trial)
    public void setUp() {
        domain = EpochDomain.builder().name("arrow-handoff").build();
        arrow = new RootAllocator();
        long[] ids = new long[rows];
        double[] scores = new double[rows];
        String[] names = new String[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = i;
            scores[i] = (i % 1000) * 0.5;
            names[i] = "name-" + (i * 7919 % 100_003);
        }
        batch = ColumnBatch.columnar(domain, NativeAllocator.malloc(), SCHEMA, rows)
                .setInt64(0, ids).setFloat64(1, scores).setUtf8(2, names).build();
        if (contender == Contender.IPC_STREAM || contender == Contender.SUM_ONLY) {
            source = copy(batch, arrow);
        }
    }

    /** Frees everything; fails the trial if Arrow still holds memory (a hand-off that leaked). */
    @TearDown(Level.Trial)
    public void tearDown() {
        if (source != null) {
            source.close();
        }
        batch.close();
        arrow.close();
        domain.close();
    }

    /**
     * One hand-off and the sum of {@code score} in Arrow Java.
     *
     * @return the sum (consumed by JMH)
     * @throws IOException never (the IPC stream is in memory)
     */
    @Benchmark
    public double handOffAndSum() throws IOException {
        return switch (contender) {
            case C_DATA -> {
                try (ArrowArray array = ArrowArray.allocateNew(arrow);
                     ArrowSchema schema = ArrowSchema.allocateNew(arrow)) {
                    ArrowExport.exportBatch(batch, MemorySegment.ofAddress(array.memoryAddress()),
                            MemorySegment.ofAddress(schema.memoryAddress()));
                    try (VectorSchemaRoot root = Data.importVectorSchemaRoot(arrow, array, schema, null)) {
                        yield sum(root);
                    }
                }
            }
            case IPC_STREAM -> {
                ipc.reset();
                try (ArrowStreamWriter writer = new ArrowStreamWriter(source, null, Channels.newChannel(ipc))) {
                    writer.start();
                    writer.writeBatch();
                    writer.end();
                }
                double sum = 0;
                try (ArrowStreamReader reader = new ArrowStreamReader(ipc.input(), arrow)) {
                    while (reader.loadNextBatch()) {
                        sum += sum(reader.getVectorSchemaRoot());
                    }
                }
                yield sum;
            }
            case COPY_VECTORS -> {
                try (VectorSchemaRoot root = copy(batch, arrow)) {
                    yield sum(root);
                }
            }
            case SUM_ONLY -> sum(source);
        };
    }

    private static double sum(VectorSchemaRoot root) {
        Float8Vector scores = (Float8Vector) root.getVector("score");
        double sum = 0;
        for (int i = 0, n = root.getRowCount(); i < n; i++) {
            sum += scores.get(i);
        }
        return sum;
    }

    /** A copy of the batch in new Arrow vectors: one bulk copy per buffer, validity set to all-present. */
    static VectorSchemaRoot copy(ColumnBatch batch, BufferAllocator allocator) {
        int n = batch.rows();
        VectorSchemaRoot root = VectorSchemaRoot.create(new org.apache.arrow.vector.types.pojo.Schema(List.of(
                org.apache.arrow.vector.types.pojo.Field.notNullable("id", new ArrowType.Int(64, true)),
                org.apache.arrow.vector.types.pojo.Field.notNullable("score",
                        new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                org.apache.arrow.vector.types.pojo.Field.notNullable("name", ArrowType.Utf8.INSTANCE))), allocator);
        BigIntVector ids = (BigIntVector) root.getVector(0);
        Float8Vector scores = (Float8Vector) root.getVector(1);
        VarCharVector names = (VarCharVector) root.getVector(2);
        ids.allocateNew(n);
        scores.allocateNew(n);
        MemorySegment offsets = batch.offsets(2);
        int last = offsets.getAtIndex(ValueLayout.JAVA_INT, n); // a built batch: offsets start at 0
        names.allocateNew(last, n);
        copy(batch.values(0), 0, ids.getDataBuffer(), 8L * n);
        copy(batch.values(1), 0, scores.getDataBuffer(), 8L * n);
        copy(offsets, 0, names.getOffsetBuffer(), 4L * (n + 1));
        copy(batch.values(2), 0, names.getDataBuffer(), last);
        allPresent(ids.getValidityBuffer(), n);
        allPresent(scores.getValidityBuffer(), n);
        allPresent(names.getValidityBuffer(), n);
        names.setLastSet(n - 1);
        root.setRowCount(n);
        return root;
    }

    private static void copy(MemorySegment from, long offset, ArrowBuf to, long bytes) {
        MemorySegment.copy(from, offset, MemorySegment.ofAddress(to.memoryAddress()).reinterpret(bytes), 0, bytes);
    }

    private static void allPresent(ArrowBuf validity, int n) {
        MemorySegment.ofAddress(validity.memoryAddress()).reinterpret((n + 7) / 8).fill((byte) 0xFF);
    }

    /** An in-memory byte stream whose bytes are read back without another copy. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(1 << 20);
        }

        ByteArrayInputStream input() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }
}
