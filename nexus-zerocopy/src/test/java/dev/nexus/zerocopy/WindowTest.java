package dev.nexus.zerocopy;

import static dev.nexus.zerocopy.StreamFixtures.EVENTS;
import static dev.nexus.zerocopy.StreamFixtures.SEQ;
import static dev.nexus.zerocopy.StreamFixtures.TS;
import static dev.nexus.zerocopy.StreamFixtures.VAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.EpochDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Count and time windows, tumbling and sliding, checked row by row against a plain on-heap model of
 * the stream (a list of event times); random batch sizes and time gaps, the seed in the message.
 */
class WindowTest {

    private EpochDomain domain;
    private PoisoningAllocator allocator;

    @BeforeEach
    void open() {
        domain = EpochDomain.builder().name("window-test").build();
        allocator = new PoisoningAllocator();
    }

    @AfterEach
    void close() {
        domain.close();
        assertThat(allocator.doubleFrees()).isZero();
        assertThat(allocator.live()).as("every batch freed").isZero();
    }

    /** A window of the model: stream rows [from, to) and, for a time window, its bounds. */
    private record ModelWindow(long from, long to, long start, long end) {
    }

    /** Count windows (tumbling, sliding, with gaps) equal the model's, and only full ones come. */
    @ParameterizedTest(name = "size={0} slide={1} concurrent={2}")
    @CsvSource({"5,5,false", "7,3,false", "3,7,false", "1,1,false", "40,1,false", "6,2,true", "9,9,true"})
    void countWindowsMatchModel(int size, int slide, boolean concurrent) {
        long seed = System.nanoTime();
        List<Long> times = times(new SplittableRandom(seed), 300);
        List<ModelWindow> model = new ArrayList<>();
        for (long from = 0; from + size <= times.size(); from += slide) {
            model.add(new ModelWindow(from, from + size, 0, 0));
        }
        run(seed, times, model, stream -> stream.countWindows(size, slide), concurrent);
    }

    /** Time windows (tumbling, sliding, with gaps, empty ones skipped) equal the model's. */
    @ParameterizedTest(name = "size={0} slide={1} concurrent={2}")
    @CsvSource({"10,10,false", "10,3,false", "4,9,false", "1,1,false", "25,5,true", "7,7,true"})
    void timeWindowsMatchModel(long size, long slide, boolean concurrent) {
        long seed = System.nanoTime();
        List<Long> times = times(new SplittableRandom(seed), 300);
        TreeSet<Long> starts = new TreeSet<>();
        for (long t : times) {
            for (long k = Math.floorDiv(t - size, slide) + 1; k <= Math.floorDiv(t, slide); k++) {
                starts.add(k * slide);
            }
        }
        List<ModelWindow> model = new ArrayList<>();
        for (long start : starts) {
            long from = -1;
            long to = -1;
            for (int row = 0; row < times.size(); row++) {
                long t = times.get(row);
                if (t >= start && t < start + size) {
                    from = from < 0 ? row : from;
                    to = row + 1;
                }
            }
            model.add(new ModelWindow(from, to, start, start + size));
        }
        run(seed, times, model, stream -> stream.timeWindows(size, slide), concurrent);
    }

    /** An INT64 event-time column works as a TIMESTAMP one: tumbling windows of 10 over seq 0..99. */
    @Test
    void int64EventTime() {
        try (BatchStream stream = BatchStream.create(domain, EVENTS, "seq")) {
            WindowReader windows = stream.timeWindows(10, 10);
            for (int b = 0; b < 7; b++) {
                try (ColumnBatch batch = StreamFixtures.batch(domain, allocator, b * 15L, 15, s -> -s)) {
                    stream.append(batch); // ts decreases, but the event time is seq here
                }
            }
            stream.finish();
            try (windows) {
                for (int k = 0; k < 11; k++) {
                    try (Window w = windows.next()) {
                        assertThat(w.startTime()).isEqualTo(k * 10L);
                        assertThat(w.rows()).isEqualTo(k < 10 ? 10 : 5);
                        assertThat(w.getLong(SEQ, 0)).isEqualTo(k * 10L);
                    }
                }
                assertThat(windows.hasNext()).isFalse();
            }
        }
    }

    /** A window's pieces are slices of the stream's batches: no row is copied. */
    @Test
    void piecesAreSlicesOfTheBatches() {
        try (BatchStream stream = BatchStream.create(domain, EVENTS)) {
            WindowReader windows = stream.countWindows(8, 8);
            List<ColumnBatch> batches = new ArrayList<>();
            for (int b = 0; b < 3; b++) {
                ColumnBatch batch = StreamFixtures.batch(domain, allocator, b * 5L, 5);
                stream.append(batch);
                batches.add(batch);
            }
            try (windows; Window w = windows.next()) {
                assertThat(w.pieceCount()).isEqualTo(2);
                for (int p = 0; p < 2; p++) {
                    ColumnBatch piece = w.piece(p);
                    ColumnBatch batch = batches.get(p);
                    long address = piece.values(SEQ).address() + (long) piece.offset() * Long.BYTES;
                    assertThat(address).as("piece %d reads its batch's memory", p)
                            .isBetween(batch.segment().address(),
                                    batch.segment().address() + batch.segment().byteSize());
                }
                assertThat(w.piece(0).offset()).isZero();
                assertThat(w.piece(1).rows()).isEqualTo(3);
                assertThat(w.pieceStart(1)).isEqualTo(5);
                assertThat(w.firstRow()).isZero();
                assertThat(w.isTimeWindow()).isFalse();
            }
            batches.forEach(ColumnBatch::close);
        }
    }

    private interface Opener {
        WindowReader open(BatchStream stream);
    }

    /** Non-decreasing times with repeats, small steps and rare large gaps. */
    private static List<Long> times(SplittableRandom random, int rows) {
        List<Long> times = new ArrayList<>();
        long t = random.nextLong(-50, 50);
        for (int i = 0; i < rows; i++) {
            int kind = random.nextInt(20);
            t += kind == 0 ? random.nextLong(20, 80) : kind < 6 ? 0 : random.nextLong(1, 4);
            times.add(t);
        }
        return times;
    }

    private void run(long seed, List<Long> times, List<ModelWindow> model, Opener opener, boolean concurrent) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Integer> sizes = new ArrayList<>();
        for (int left = times.size(); left > 0; ) {
            int n = Math.min(left, 1 + random.nextInt(24));
            sizes.add(n);
            left -= n;
        }
        BatchStream stream = BatchStream.create(domain, EVENTS, "ts");
        WindowReader windows = opener.open(stream);
        Runnable writer = () -> {
            long seq = 0;
            try {
                for (int n : sizes) {
                    long first = seq;
                    try (ColumnBatch batch = StreamFixtures.batch(domain, allocator, first, n,
                            s -> times.get((int) s))) {
                        stream.append(batch);
                    }
                    seq += n;
                }
            } finally {
                stream.finish(); // also on failure, so that the reader ends and the failure is reported
            }
        };
        List<Window> got = new ArrayList<>();
        try (StreamTestThreads threads = new StreamTestThreads()) {
            if (concurrent) {
                threads.virtual("writer", writer::run);
            } else {
                writer.run();
            }
            try (windows) {
                while (windows.hasNext()) {
                    got.add(windows.next());
                }
            }
        }
        stream.close(); // the windows hold their pieces on their own
        String context = "seed=" + seed + ", batch sizes=" + sizes;
        assertThat(got).as(context).hasSameSizeAs(model);
        for (int i = 0; i < model.size(); i++) {
            ModelWindow m = model.get(i);
            try (Window w = got.get(i)) {
                assertThat(w.firstRow()).as("window %d, %s", i, context).isEqualTo(m.from);
                assertThat(w.rows()).as("window %d, %s", i, context).isEqualTo((int) (m.to - m.from));
                for (int r = 0; r < w.rows(); r++) {
                    long seq = m.from + r;
                    assertThat(w.getLong(SEQ, r)).isEqualTo(seq);
                    assertThat(w.getTimestamp(TS, r)).isEqualTo(times.get((int) seq));
                    assertThat(w.getDouble(VAL, r)).isEqualTo(StreamFixtures.value(seq));
                }
                if (w.isTimeWindow()) {
                    assertThat(w.startTime()).as("window %d, %s", i, context).isEqualTo(m.start);
                    assertThat(w.endTime()).isEqualTo(m.end);
                }
            }
        }
    }
}
