package dev.nexus.zerocopy;

import static dev.nexus.zerocopy.StreamFixtures.EVENTS;
import static dev.nexus.zerocopy.StreamFixtures.SEQ;
import static dev.nexus.zerocopy.StreamFixtures.TS;
import static dev.nexus.zerocopy.StreamFixtures.VAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.zerocopy.arrow.ArrowExport;
import java.lang.foreign.MemorySegment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;

/**
 * Torture of the stream: writers append batches and close them at once while readers on platform
 * and virtual threads scan batches, count windows and time windows under guards, at random paces,
 * keeping some windows open for a while; Arrow Java reads the stream through
 * {@link ArrowExport#exportStream(BatchStream, MemorySegment)} holding each exported batch a while,
 * and DuckDB runs a query over another export of it. Memory comes from a {@link PoisoningAllocator}: a read of
 * freed memory (before malloc reuses it) reads poison, and a read of reused memory breaks the
 * row's invariants (seq continuity, {@code ts == seq / 3}, {@code val == value(seq)}); either is a
 * violation. At the end every byte allocated must have been freed exactly once.
 *
 * <p>Duration: {@code -Dnexus.torture.seconds=N} (default 3), passed to the forked JVM with
 * {@code -Dnexus.test.argLine=-Dnexus.torture.seconds=600}.
 */
class StreamTortureTest {

    /** Length of the writers' run; the readers then drain the stream. */
    static final Duration TORTURE = Duration.ofSeconds(Long.getLong("nexus.torture.seconds", 3));

    /** Batches appended but not yet retired beyond which writers wait (bounds the memory of a long run). */
    static final long MAX_BACKLOG = 2_000;

    /** Readers in guards never read poison or a broken row; every byte allocated is freed once. */
    @Test
    void readersNeverSeeFreedMemoryAndEveryByteIsFreedOnce() throws Exception {
        PoisoningAllocator allocator = new PoisoningAllocator();
        EpochDomain domain = EpochDomain.builder().name("stream-torture").build();
        BatchStream stream = BatchStream.create(domain, EVENTS, "ts");
        Checks checks = new Checks();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong appended = new AtomicLong();
        Object appendOrder = new Object();
        long[] nextSeq = {0};
        List<Thread> writers = new ArrayList<>();
        AtomicReference<long[]> duckResult = new AtomicReference<>();
        try (BufferAllocator arrow = new RootAllocator();
                ArrowArrayStream arrowStream = ArrowArrayStream.allocateNew(arrow);
                ArrowArrayStream duckStream = ArrowArrayStream.allocateNew(arrow);
                Connection duck = DriverManager.getConnection("jdbc:duckdb:");
                StreamTestThreads threads = new StreamTestThreads()) {
            // the exports open their readers now, before the first append: they see every row
            ArrowExport.exportStream(stream, MemorySegment.ofAddress(arrowStream.memoryAddress()));
            ArrowExport.exportStream(stream, MemorySegment.ofAddress(duckStream.memoryAddress()));
            threads.platform("arrow-java", () -> readWithArrowJava(arrow, arrowStream, checks));
            threads.platform("duckdb", () -> duckResult.set(queryWithDuckDb(duck, duckStream)));
            // every reader opens its cursor before the first append, so each sees every row from 0
            for (int r = 0; r < 12; r++) {
                int kind = r % 3;
                StreamTestThreads.ThrowingRunnable body = switch (kind) {
                    case 0 -> readBatches(domain, stream.reader(), checks);
                    case 1 -> readCountWindows(domain, stream, checks);
                    default -> readTimeWindows(domain, stream, checks);
                };
                if (r < 3) {
                    threads.platform("reader-" + r, body);
                } else {
                    threads.virtual("vreader-" + r, body);
                }
            }
            for (int w = 0; w < 2; w++) {
                writers.add(threads.platform("writer-" + w, () -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get() && !threads.anyFailed()) {
                        while (stream.appendedBatches() - stream.retiredBatches() > MAX_BACKLOG && !stop.get()) {
                            LockSupport.parkNanos(100_000); // back-pressure: the slowest reader sets the pace
                        }
                        ColumnBatch batch;
                        synchronized (appendOrder) { // seq and ts must grow in append order
                            int rows = 1 + random.nextInt(64);
                            batch = StreamFixtures.batch(domain, allocator, nextSeq[0], rows, s -> s / 3);
                            stream.append(batch);
                            nextSeq[0] += rows;
                        }
                        batch.close(); // the owner lets go at once: only the stream's hold remains
                        appended.incrementAndGet();
                        if (random.nextInt(16) == 0) {
                            LockSupport.parkNanos(random.nextInt(200_000));
                        }
                    }
                }));
            }
            long deadline = System.nanoTime() + TORTURE.toNanos();
            while (System.nanoTime() < deadline && !threads.anyFailed()) {
                LockSupport.parkNanos(10_000_000);
            }
            stop.set(true);
            for (Thread writer : writers) {
                writer.join(TestSupport.LONG);
            }
            stream.finish();
        }
        long rows;
        synchronized (appendOrder) {
            rows = nextSeq[0];
        }
        long[] duckdb = duckResult.get();
        stream.close();
        domain.close();
        System.out.println("stream torture: " + appended.get() + " batches, " + rows + " rows, "
                + checks.rowsChecked.get() + " row checks, " + allocator.allocations() + " allocations");
        assertThat(checks.violations.get()).as("first violation: %s", checks.first.get()).isZero();
        assertThat(duckdb).as("DuckDB: count, sum(seq), rows whose val or ts is wrong")
                .containsExactly(rows, rows * (rows - 1) / 2, 0);
        assertThat(checks.rowsChecked.get()).isPositive();
        assertThat(appended.get()).isGreaterThan(10);
        assertThat(allocator.doubleFrees()).as("double frees").isZero();
        assertThat(allocator.live()).as("segments never freed").isZero();
        assertThat(allocator.frees()).isEqualTo(allocator.allocations());
        assertThat(allocator.freedBytes()).as("every byte allocated freed once").isEqualTo(allocator.allocatedBytes());
    }

    /** Violations seen by the readers. */
    private static final class Checks {
        final AtomicLong violations = new AtomicLong();
        final AtomicLong rowsChecked = new AtomicLong();
        final AtomicReference<String> first = new AtomicReference<>();

        void fail(String what) {
            violations.incrementAndGet();
            first.compareAndSet(null, what);
        }

        /** Checks a row whose stream row index should be {@code seq}. */
        void row(long seq, long seqRead, long ts, double val, String where) {
            rowsChecked.incrementAndGet();
            if (seqRead == PoisoningAllocator.POISON || ts == PoisoningAllocator.POISON
                    || Double.doubleToRawLongBits(val) == PoisoningAllocator.POISON) {
                fail("poison read at stream row " + seq + " (" + where + ")");
            } else if (seqRead != seq || ts != seq / 3 || val != StreamFixtures.value(seq)) {
                fail("broken row " + seq + " (" + where + "): seq=" + seqRead + " ts=" + ts + " val=" + val);
            }
        }

        void batch(ColumnBatch b, long firstSeq, String where) {
            for (int r = 0; r < b.rows(); r++) {
                row(firstSeq + r, b.getLong(SEQ, r), b.getTimestamp(TS, r), b.getDouble(VAL, r), where);
            }
        }

        void window(Window w, String where) {
            for (int r = 0; r < w.rows(); r++) {
                long ts = w.getTimestamp(TS, r);
                row(w.firstRow() + r, w.getLong(SEQ, r), ts, w.getDouble(VAL, r), where);
                if (w.isTimeWindow() && (ts < w.startTime() || ts >= w.endTime())) {
                    fail("row " + (w.firstRow() + r) + " at time " + ts + " outside " + w + " (" + where + ")");
                }
            }
        }
    }

    /**
     * Arrow Java imports the exported stream and checks every row; it holds each exported batch (its
     * vectors) for a random while before loading the next, which releases the previous export.
     */
    private static void readWithArrowJava(BufferAllocator arrow, ArrowArrayStream exported, Checks checks)
            throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long expected = 0;
        try (ArrowReader reader = Data.importArrayStream(arrow, exported)) {
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                TimeStampVector ts = (TimeStampVector) root.getVector(TS);
                BigIntVector seq = (BigIntVector) root.getVector(SEQ);
                Float8Vector val = (Float8Vector) root.getVector(VAL);
                for (int r = 0; r < root.getRowCount(); r++) {
                    checks.row(expected + r, seq.get(r), ts.get(r), val.get(r), "Arrow Java");
                }
                if (random.nextInt(8) == 0) {
                    LockSupport.parkNanos(random.nextInt(1_000_000)); // hold the export a while
                    for (int r = 0; r < root.getRowCount(); r++) {
                        checks.row(expected + r, seq.get(r), ts.get(r), val.get(r), "Arrow Java, held");
                    }
                }
                expected += root.getRowCount();
            }
        }
    }

    /** DuckDB scans the exported stream to its end (on its worker threads) and aggregates it. */
    private static long[] queryWithDuckDb(Connection connection, ArrowArrayStream exported) throws Exception {
        connection.unwrap(DuckDBConnection.class).registerArrowStream("torture", exported);
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), sum(seq)::BIGINT, count(*) FILTER "
                        + "(WHERE val <> seq * 0.5 + 1 OR epoch_us(ts) <> seq // 3) FROM torture")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
        }
    }

    /**
     * Reads batches; inside one guard it takes a batch, then the next one (which passes the first),
     * and reads the first again: the guard, opened before the first could be retired, protects it.
     */
    private static StreamTestThreads.ThrowingRunnable readBatches(EpochDomain domain, StreamReader reader,
            Checks checks) {
        return () -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long expected = 0;
            try (reader) {
                while (reader.hasNext()) {
                    try (Guard _ = domain.pin()) {
                        ColumnBatch first = reader.next();
                        long firstSeq = expected;
                        checks.batch(first, firstSeq, "batch");
                        expected += first.rows();
                        try {
                            ColumnBatch second = reader.awaitNext(Duration.ZERO);
                            if (second != null) {
                                checks.batch(second, expected, "batch");
                                expected += second.rows();
                                checks.batch(first, firstSeq, "passed batch under its guard");
                            }
                        } catch (TimeoutException nothingYet) {
                            // no batch appended yet: do not wait inside the guard
                        }
                    }
                    if (random.nextInt(8) == 0) {
                        LockSupport.parkNanos(random.nextInt(300_000));
                    }
                }
            }
        };
    }

    private static StreamTestThreads.ThrowingRunnable readCountWindows(EpochDomain domain, BatchStream stream,
            Checks checks) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int size = 1 + random.nextInt(150);
        int slide = 1 + random.nextInt(size + 10);
        WindowReader windows = stream.countWindows(size, slide);
        return () -> scanWindows(domain, windows, checks, "count window " + size + "/" + slide);
    }

    private static StreamTestThreads.ThrowingRunnable readTimeWindows(EpochDomain domain, BatchStream stream,
            Checks checks) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long size = 1 + random.nextInt(60);
        long slide = 1 + random.nextInt((int) size + 5);
        WindowReader windows = stream.timeWindows(size, slide);
        return () -> scanWindows(domain, windows, checks, "time window " + size + "/" + slide);
    }

    /** Scans windows under guards; keeps up to a few windows open a while, closing them out of order. */
    private static void scanWindows(EpochDomain domain, WindowReader windows, Checks checks, String where) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ArrayDeque<Window> kept = new ArrayDeque<>();
        try (windows) {
            while (windows.hasNext()) {
                Window w = windows.next();
                try (Guard _ = domain.pin()) {
                    checks.window(w, where);
                }
                if (random.nextInt(4) == 0 && kept.size() < 8) {
                    kept.add(w);
                } else {
                    w.close();
                }
                if (!kept.isEmpty() && random.nextInt(3) == 0) {
                    Window old = random.nextBoolean() ? kept.pollFirst() : kept.pollLast();
                    checks.window(old, where + " (kept open)");
                    old.close();
                }
                if (random.nextInt(16) == 0) {
                    LockSupport.parkNanos(random.nextInt(500_000));
                }
            }
        } finally {
            kept.forEach(Window::close);
        }
    }
}
