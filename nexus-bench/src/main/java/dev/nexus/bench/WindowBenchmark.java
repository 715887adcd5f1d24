package dev.nexus.bench;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;
import dev.nexus.zerocopy.BatchStream;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.StreamReader;
import dev.nexus.zerocopy.Window;
import dev.nexus.zerocopy.WindowReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
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
 * A sliding count window over a {@link BatchStream} of {@code rows} rows (batches of
 * {@value #BATCH_ROWS} rows of {@code (ts INT64, price FLOAT64)}): one operation is one pass over every
 * window of {@code window} rows sliding by {@code slide} rows, summing the price column of each window.
 * Contenders ({@code contender}):
 * <ul>
 *   <li>{@code VIEW_BUFFERS}: each {@link Window} is a list of zero-copy slices; the sum reads each
 *       piece's values buffer in place (what a vectorised engine does);
 *   <li>{@code VIEW_ROWS}: the same views read row by row through {@link Window#getDouble} (a binary
 *       search for the piece, then the batch's checked read);
 *   <li>{@code COPY}: the baseline of an engine without views: each window is materialised into its own
 *       {@code double[]} (bulk copies from the same batches), then summed.
 * </ul>
 * The stream is finished before the benchmark; an idle reader opened in the setup keeps every batch
 * (a cursor that has passed nothing), so each pass opens a fresh {@link WindowReader} from row 0.
 *
 * <p>Run: {@code java -jar nexus-bench/target/benchmarks.jar WindowBenchmark -rf json -rff window.json};
 * smaller: {@code -p rows=262144}; with allocation figures: {@code -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Threads(1)
@State(Scope.Benchmark)
public class WindowBenchmark {

    /** Rows per appended batch. */
    static final int BATCH_ROWS = 4096;

    /** How a window is read. */
    public enum Contender {
        /** Zero-copy views, buffers read in place. */
        VIEW_BUFFERS,
        /** Zero-copy views, read by window row. */
        VIEW_ROWS,
        /** Each window copied into a heap array first. */
        COPY
    }

    /** Rows in the stream. */
    @Param({"1048576"})
    public int rows;

    /** Rows per window. */
    @Param({"16384"})
    public int window;

    /** Rows between window starts. */
    @Param({"1024"})
    public int slide;

    /** The contender. */
    @Param
    public Contender contender;

    private EpochDomain domain;
    private BatchStream stream;
    private StreamReader keeper;

    /** Builds the stream (columnar bulk path) and opens the idle reader that keeps its batches. */
    @Setup(Level.Trial)
    public void setUp() {
        domain = EpochDomain.builder().name("window-bench").build();
        Schema schema = Schema.of(Field.of("ts", ColumnType.INT64, false),
                Field.of("price", ColumnType.FLOAT64, false));
        stream = BatchStream.create(domain, schema, "ts");
        keeper = stream.reader();
        for (int first = 0; first < rows; first += BATCH_ROWS) {
            int n = Math.min(BATCH_ROWS, rows - first);
            long[] ts = new long[n];
            double[] price = new double[n];
            for (int r = 0; r < n; r++) {
                ts[r] = first + r;
                price[r] = ((first + r) % 1000) * 0.01;
            }
            try (ColumnBatch.ColumnarBuilder b = ColumnBatch.columnar(domain, NativeAllocator.malloc(), schema, n)) {
                try (ColumnBatch batch = b.setInt64(0, ts).setFloat64(1, price).build()) {
                    stream.append(batch);
                }
            }
        }
        stream.finish();
    }

    /** Closes the keeper, the stream and the domain (which frees every batch). */
    @TearDown(Level.Trial)
    public void tearDown() {
        keeper.close();
        stream.close();
        domain.close();
    }

    /**
     * One pass over all windows.
     *
     * @return the sum of every window's sum (consumed by JMH)
     */
    @Benchmark
    public double slidingWindows() {
        double total = 0;
        try (WindowReader windows = stream.countWindows(window, slide)) {
            while (windows.hasNext()) {
                try (Window w = windows.next()) {
                    total += switch (contender) {
                        case VIEW_BUFFERS -> sumBuffers(w);
                        case VIEW_ROWS -> sumRows(w);
                        case COPY -> sum(copy(w));
                    };
                }
            }
        }
        return total;
    }

    private static double sumBuffers(Window w) {
        double sum = 0;
        for (int p = 0; p < w.pieceCount(); p++) {
            ColumnBatch piece = w.piece(p);
            MemorySegment values = piece.values(1);
            long base = (long) piece.offset() * Double.BYTES;
            int n = piece.rows();
            for (int r = 0; r < n; r++) {
                sum += values.get(ValueLayout.JAVA_DOUBLE, base + (long) r * Double.BYTES);
            }
        }
        return sum;
    }

    private static double sumRows(Window w) {
        double sum = 0;
        int n = w.rows();
        for (int r = 0; r < n; r++) {
            sum += w.getDouble(1, r);
        }
        return sum;
    }

    private static double[] copy(Window w) {
        double[] copy = new double[w.rows()];
        for (int p = 0; p < w.pieceCount(); p++) {
            ColumnBatch piece = w.piece(p);
            MemorySegment.copy(piece.values(1), ValueLayout.JAVA_DOUBLE, (long) piece.offset() * Double.BYTES,
                    copy, w.pieceStart(p), piece.rows());
        }
        return copy;
    }

    private static double sum(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum;
    }
}
