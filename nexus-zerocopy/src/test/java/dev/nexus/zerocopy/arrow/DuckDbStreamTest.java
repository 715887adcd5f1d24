package dev.nexus.zerocopy.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DuckDB JDBC runs SQL over our exported streams ({@code registerArrowStream}) and gets the exact
 * answers computed here on the heap; it releases the arrays on its worker threads.
 */
class DuckDbStreamTest {

    private static final Schema SCHEMA = Schema.of(
            Field.of("id", ColumnType.INT64, false),
            Field.of("grp", ColumnType.INT32, false),
            Field.of("score", ColumnType.FLOAT64, true),
            Field.of("name", ColumnType.UTF8, true));
    private static final int BATCHES = 8;
    private static final int ROWS = 20_000;

    private EpochDomain domain;
    private PoisoningAllocator memory;
    private BufferAllocator arrow;
    private Connection connection;
    private final List<ColumnBatch> batches = new ArrayList<>();
    private final AtomicInteger names = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        domain = ArrowTestSupport.inlineDomain("duckdb");
        memory = new PoisoningAllocator();
        arrow = new RootAllocator();
        connection = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement s = connection.createStatement()) {
            s.execute("SET threads = 4");
        }
        for (int b = 0; b < BATCHES; b++) {
            ColumnBatch.Builder builder = ColumnBatch.builder(domain, memory, SCHEMA);
            for (int i = 0; i < ROWS; i++) {
                long id = (long) b * ROWS + i;
                builder.appendLong(0, id).appendInt(1, (int) (id % 7));
                if (id % 10 == 3) {
                    builder.appendNull(2);
                } else {
                    builder.appendDouble(2, score(id));
                }
                if (id % 13 == 5) {
                    builder.appendNull(3);
                } else {
                    builder.appendString(3, name(id));
                }
                builder.endRow();
            }
            batches.add(builder.build());
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        connection.close();
        batches.forEach(ColumnBatch::close);
        domain.close();
        arrow.close();
        assertThat(memory.liveCount()).as("batch memory live at the end").isZero();
        memory.close();
    }

    private static double score(long id) {
        return (id * 37 % 1000) / 4.0;
    }

    private static String name(long id) {
        return "n" + (id * 7919 % 100_003);
    }

    /** Sum, count of nulls, group by, filter and a string min over one exported stream each: exact answers. */
    @Test
    void sqlOverAnExportedStream() throws Exception {
        long sum = 0;
        long nullScores = 0;
        long filtered = 0;
        String min = null;
        Map<Integer, long[]> groups = new TreeMap<>();
        for (long id = 0; id < (long) BATCHES * ROWS; id++) {
            sum += id;
            boolean hasScore = id % 10 != 3;
            nullScores += hasScore ? 0 : 1;
            filtered += hasScore && score(id) > 200.0 ? 1 : 0;
            if (id % 13 != 5 && (min == null || name(id).compareTo(min) < 0)) {
                min = name(id);
            }
            long[] g = groups.computeIfAbsent((int) (id % 7), k -> new long[2]);
            g[0]++;
            g[1] += id;
        }
        ArrowStats before = ArrowExport.stats();

        assertThat(queryLong("SELECT sum(id)::BIGINT FROM %s", batches)).isEqualTo(sum);
        assertThat(queryLong("SELECT count(*) - count(score) FROM %s", batches)).isEqualTo(nullScores);
        assertThat(queryLong("SELECT count(*) FROM %s WHERE score > 200.0", batches)).isEqualTo(filtered);
        assertThat(queryString("SELECT min(name) FROM %s", batches)).isEqualTo(min);
        Map<Integer, long[]> seen = new TreeMap<>();
        query("SELECT grp, count(*), sum(id)::BIGINT FROM %s GROUP BY grp ORDER BY grp", batches, rs -> {
            while (rs.next()) {
                seen.put(rs.getInt(1), new long[] {rs.getLong(2), rs.getLong(3)});
            }
        });
        assertThat(seen.keySet()).isEqualTo(groups.keySet());
        groups.forEach((k, v) -> assertThat(seen.get(k)).as("group %s", k).containsExactly(v));

        ArrowStats after = ArrowExport.stats();
        assertThat(after.arraysExported() - before.arraysExported()).isEqualTo(5L * BATCHES);
        assertThat(after.arraysReleased() - before.arraysReleased()).as("every array released")
                .isEqualTo(5L * BATCHES);
        assertThat(after.streamsReleased() - before.streamsReleased()).isEqualTo(5);
        assertThat(after.callbackFailures()).isEqualTo(before.callbackFailures());
        batches.forEach(b -> assertThat(b.openHolds()).isEmpty());
    }

    /** DuckDB releases arrays on its worker threads (threads = 4), and our release runs there without harm. */
    @Test
    void releasesComeFromDuckDbWorkerThreads() throws Exception {
        // a bigger table so that DuckDB's scan runs on several threads
        List<ColumnBatch> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.addAll(batches);
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment inner = arena.allocate(40, 8);
            ArrowExport.exportStream(SCHEMA, many.iterator(), inner);
            try (ReleaseRecorder recorder = new ReleaseRecorder(inner);
                 ArrowArrayStream stream = ArrowArrayStream.wrap(recorder.outer())) {
                DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
                duck.registerArrowStream("recorded", stream);
                try (Statement s = connection.createStatement();
                     ResultSet rs = s.executeQuery("SELECT sum(id)::BIGINT, count(name) FROM recorded")) {
                    assertThat(rs.next()).isTrue();
                    long n = (long) BATCHES * ROWS;
                    assertThat(rs.getLong(1)).isEqualTo(8 * (n * (n - 1) / 2));
                }
                assertThat(recorder.errors).isEmpty();
                assertThat(recorder.releaseThreads).as("threads that released arrays").isNotEmpty();
                assertThat(recorder.releaseThreads).as("some release comes from a DuckDB worker thread")
                        .anySatisfy(t -> assertThat(t).isNotSameAs(Thread.currentThread()));
            }
        }
        many.forEach(b -> assertThat(b.openHolds()).isEmpty());
    }

    /** Slices (first rows not on a byte boundary) read right in DuckDB: it honours nothing but our pointers. */
    @Test
    void slicesReadRight() throws Exception {
        List<ColumnBatch> slices = new ArrayList<>();
        long sum = 0;
        long nulls = 0;
        String max = null;
        for (int b = 0; b < BATCHES; b++) {
            int from = 3 + b;
            int to = ROWS - 5 * b;
            slices.add(batches.get(b).slice(from, to));
            for (int i = from; i < to; i++) {
                long id = (long) b * ROWS + i;
                sum += id;
                nulls += id % 10 == 3 ? 1 : 0;
                if (id % 13 != 5 && (max == null || name(id).compareTo(max) > 0)) {
                    max = name(id);
                }
            }
        }
        assertThat(queryLong("SELECT sum(id)::BIGINT FROM %s", slices)).isEqualTo(sum);
        assertThat(queryLong("SELECT count(*) - count(score) FROM %s", slices)).isEqualTo(nulls);
        assertThat(queryString("SELECT max(name) FROM %s", slices)).isEqualTo(max);
        slices.forEach(ColumnBatch::close);
    }

    /**
     * The other way: DuckDB produces a query result as Arrow batches (its C stream, through Arrow
     * Java's reader re-exported with {@code Data.exportArrayStream}), and Nexus imports them as
     * ColumnBatches read in place, timestamps ({@code "tsu:"}) and strings included.
     */
    @Test
    void duckDbResultsImportAsColumnBatches() throws Exception {
        String sql = "SELECT i::BIGINT AS id, CAST(i AS DOUBLE) / 2 AS x, 'v' || i AS s,"
                + " make_timestamp(i * 1000000) AS ts FROM range(5000) t(i)";
        long sum = 0;
        double xs = 0;
        int rows = 0;
        try (Statement s = connection.createStatement();
             org.duckdb.DuckDBResultSet rs = (org.duckdb.DuckDBResultSet) s.executeQuery(sql);
             ArrowArrayStream stream = ArrowArrayStream.allocateNew(arrow)) {
            // the exported stream owns the reader from here: its release closes it
            org.apache.arrow.c.Data.exportArrayStream(arrow,
                    (org.apache.arrow.vector.ipc.ArrowReader) rs.arrowExportStream(arrow, 1024), stream);
            MemorySegment address = MemorySegment.ofAddress(stream.memoryAddress());
            try (ImportedStream in = ArrowImport.importStream(domain, address)) {
                assertThat(in.schema().field(0).type()).isEqualTo(ColumnType.INT64);
                assertThat(in.schema().field(3).type()).isEqualTo(ColumnType.TIMESTAMP);
                while (in.hasNext()) {
                    try (ColumnBatch batch = in.next()) {
                        for (int r = 0; r < batch.rows(); r++) {
                            long id = batch.getLong(0, r);
                            sum += id;
                            xs += batch.getDouble(1, r);
                            assertThat(batch.getString(2, r)).isEqualTo("v" + id);
                            assertThat(batch.getTimestamp(3, r)).isEqualTo(id * 1_000_000L);
                        }
                        rows += batch.rows();
                    }
                }
            }
        }
        domain.barrier();
        assertThat(rows).isEqualTo(5000);
        assertThat(sum).isEqualTo(5000L * 4999 / 2);
        assertThat(xs).isEqualTo(5000.0 * 4999 / 4);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private interface Rows {
        void read(ResultSet rs) throws Exception;
    }

    /**
     * Runs {@code sql} (with {@code %s} for the table) over a fresh export of {@code source}: a
     * registered stream is scanned once.
     */
    private void query(String sql, List<ColumnBatch> source, Rows rows) throws Exception {
        String table = "t" + names.incrementAndGet();
        try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(arrow)) {
            ArrowExport.exportStream(SCHEMA, source.iterator(), MemorySegment.ofAddress(stream.memoryAddress()));
            connection.unwrap(DuckDBConnection.class).registerArrowStream(table, stream);
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(String.format(sql, table))) {
                rows.read(rs);
            }
        }
    }

    private long queryLong(String sql, List<ColumnBatch> source) throws Exception {
        long[] out = new long[1];
        query(sql, source, rs -> {
            assertThat(rs.next()).isTrue();
            out[0] = rs.getLong(1);
        });
        return out[0];
    }

    private String queryString(String sql, List<ColumnBatch> source) throws Exception {
        String[] out = new String[1];
        query(sql, source, rs -> {
            assertThat(rs.next()).isTrue();
            out[0] = rs.getString(1);
        });
        return out[0];
    }
}
