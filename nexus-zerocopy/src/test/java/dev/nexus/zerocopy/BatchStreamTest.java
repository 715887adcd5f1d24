package dev.nexus.zerocopy;

import static dev.nexus.zerocopy.StreamFixtures.EVENTS;
import static dev.nexus.zerocopy.StreamFixtures.SEQ;
import static dev.nexus.zerocopy.StreamFixtures.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The batch stream: readers, retirement, bad input, interrupts. */
class BatchStreamTest {

    private EpochDomain domain;
    private PoisoningAllocator allocator;

    @BeforeEach
    void open() {
        domain = EpochDomain.builder().name("stream-test").build();
        allocator = new PoisoningAllocator();
    }

    @AfterEach
    void close() {
        domain.close();
        assertThat(allocator.doubleFrees()).as("double frees").isZero();
        assertThat(allocator.live()).as("segments never freed").isZero();
        assertThat(allocator.freedBytes()).isEqualTo(allocator.allocatedBytes());
    }

    /** Readers at different paces, on platform and virtual threads, each see every batch once, in order. */
    @Test
    void readersAtDifferentPacesSeeEveryBatchInOrder() {
        int batches = 60;
        int rows = 17;
        BatchStream stream = BatchStream.create(domain, EVENTS, "ts");
        List<StreamReader> readers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            readers.add(stream.reader());
        }
        try (StreamTestThreads threads = new StreamTestThreads()) {
            for (int i = 0; i < readers.size(); i++) {
                StreamReader reader = readers.get(i);
                int pauseMicros = i * 40;
                StreamTestThreads.ThrowingRunnable body = () -> {
                    long expected = 0;
                    try (reader) {
                        while (reader.hasNext()) {
                            ColumnBatch b = reader.next();
                            for (int r = 0; r < b.rows(); r++) {
                                assertThat(b.getLong(SEQ, r)).isEqualTo(expected++);
                            }
                            if (pauseMicros > 0) {
                                LockSupport.parkNanos(pauseMicros * 1000L);
                            }
                        }
                    }
                    assertThat(expected).isEqualTo((long) batches * rows);
                };
                if (i % 2 == 0) {
                    threads.platform("reader-" + i, body);
                } else {
                    threads.virtual("vreader-" + i, body);
                }
            }
            threads.platform("writer", () -> {
                for (int b = 0; b < batches; b++) {
                    try (ColumnBatch batch = batch(domain, allocator, (long) b * rows, rows)) {
                        stream.append(batch); // the writer closes its batch at once: the stream holds it
                    }
                    if (b % 7 == 0) {
                        Thread.sleep(1);
                    }
                }
                stream.finish();
            });
        }
        assertThat(stream.retiredBatches()).as("every cursor passed every batch").isEqualTo(batches);
        stream.close();
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(batches);
    }

    /** A batch is freed only after every cursor has passed it, and then it is (counting allocator). */
    @Test
    void batchIsFreedOnlyAfterEveryCursorPassedIt() {
        BatchStream stream = BatchStream.create(domain, EVENTS);
        StreamReader fast = stream.reader();
        StreamReader slow = stream.reader();
        for (int b = 0; b < 4; b++) {
            try (ColumnBatch batch = batch(domain, allocator, b * 10L, 10)) {
                stream.append(batch);
            }
        }
        stream.finish();
        while (fast.hasNext()) {
            fast.next();
        }
        fast.close();
        domain.barrier();
        assertThat(allocator.frees()).as("the slow reader has passed nothing").isZero();

        ColumnBatch first = slow.next();
        domain.barrier();
        assertThat(allocator.frees()).as("the batch just returned stays readable").isZero();
        assertThat(first.getLong(SEQ, 9)).isEqualTo(9);

        slow.next();
        domain.barrier();
        assertThat(allocator.frees()).as("batch 0 passed by both cursors").isEqualTo(1);
        assertThat(stream.retiredBatches()).isEqualTo(1);

        slow.close();
        domain.barrier();
        assertThat(allocator.frees()).as("closing passes the last batch returned only").isEqualTo(2);

        try (StreamReader late = stream.reader()) {
            assertThat(late.next().getLong(SEQ, 0)).as("a late reader starts at the oldest batch kept")
                    .isEqualTo(20);
        }
        stream.close();
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(4);
    }

    /** With no cursor open, batches are kept for the next cursor; close releases them. */
    @Test
    void batchesAreKeptWhileNoCursorIsOpen() {
        BatchStream stream = BatchStream.create(domain, EVENTS);
        for (int b = 0; b < 3; b++) {
            try (ColumnBatch batch = batch(domain, allocator, b * 5L, 5)) {
                stream.append(batch);
            }
        }
        domain.barrier();
        assertThat(allocator.frees()).isZero();
        stream.finish();
        try (StreamReader reader = stream.reader()) {
            int seen = 0;
            while (reader.hasNext()) {
                assertThat(reader.next().getLong(SEQ, 0)).isEqualTo(seen * 5L);
                seen++;
            }
            assertThat(seen).isEqualTo(3);
            assertThatThrownBy(reader::next).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("finished");
        }
        stream.close();
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(3);
    }

    /** A batch of another schema is refused, and the message names the first differing field. */
    @Test
    void schemaMismatchIsRefused() {
        Schema other = Schema.of(Field.of("ts", ColumnType.TIMESTAMP, false),
                Field.of("seq", ColumnType.INT32, false), Field.of("val", ColumnType.FLOAT64, false));
        try (BatchStream stream = BatchStream.create(domain, EVENTS);
                ColumnBatch.Builder b = ColumnBatch.builder(domain, allocator, other)) {
            b.appendTimestamp(0, 1).appendInt(1, 2).appendDouble(2, 3).endRow();
            try (ColumnBatch wrong = b.build()) {
                assertThatThrownBy(() -> stream.append(wrong)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("at field 1").hasMessageContaining("INT64")
                        .hasMessageContaining("INT32");
            }
            assertThat(stream.appendedBatches()).isZero();
        }
    }

    /** Appending after finish (or close) is refused and appends nothing. */
    @Test
    void appendAfterFinishIsRefused() {
        try (BatchStream stream = BatchStream.create(domain, EVENTS);
                ColumnBatch batch = batch(domain, allocator, 0, 3)) {
            stream.finish();
            assertThatThrownBy(() -> stream.append(batch)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("append after finish");
            stream.close();
            assertThatThrownBy(() -> stream.append(batch)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            assertThat(batch.openHolds()).as("no hold left behind").isEmpty();
        }
    }

    /** Event time that decreases, within a batch or across batches, is refused; nothing is appended. */
    @Test
    void decreasingEventTimeIsRefused() {
        try (BatchStream stream = BatchStream.create(domain, EVENTS, "ts")) {
            try (ColumnBatch batch = batch(domain, allocator, 0, 5, s -> 100 - s)) {
                assertThatThrownBy(() -> stream.append(batch)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("non-decreasing").hasMessageContaining("row 1");
            }
            try (ColumnBatch batch = batch(domain, allocator, 0, 5, s -> 1000 + s)) {
                stream.append(batch);
            }
            try (ColumnBatch earlier = batch(domain, allocator, 5, 5, s -> 10 + s)) {
                assertThatThrownBy(() -> stream.append(earlier)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("starts at 15").hasMessageContaining("1004");
                assertThat(earlier.openHolds()).isEmpty();
            }
            assertThat(stream.appendedBatches()).isEqualTo(1);
        }
    }

    /** The event-time column must exist and be TIMESTAMP or INT64; time windows need one. */
    @Test
    void eventTimeColumnIsChecked() {
        assertThatThrownBy(() -> BatchStream.create(domain, EVENTS, "val"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FLOAT64");
        assertThatThrownBy(() -> BatchStream.create(domain, EVENTS, "nope"))
                .isInstanceOf(IllegalArgumentException.class);
        try (BatchStream stream = BatchStream.create(domain, EVENTS)) {
            assertThatThrownBy(() -> stream.timeWindows(10, 10)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no event-time column");
        }
        try (BatchStream stream = BatchStream.create(domain, EVENTS, "seq")) {
            assertThat(stream.eventTimeColumn()).isEqualTo(SEQ);
        }
    }

    /** A window size or slide below 1 is refused with the values in the message. */
    @Test
    void windowSizeZeroIsRefused() {
        try (BatchStream stream = BatchStream.create(domain, EVENTS, "ts")) {
            assertThatThrownBy(() -> stream.countWindows(0, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size=0");
            assertThatThrownBy(() -> stream.countWindows(4, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("slide=0");
            assertThatThrownBy(() -> stream.timeWindows(0, 5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size=0");
        }
    }

    /** An interrupt ends a blocked hasNext() with CancellationException and keeps the interrupt status. */
    @Test
    void blockedReaderIsInterruptible() throws InterruptedException {
        try (BatchStream stream = BatchStream.create(domain, EVENTS); StreamReader reader = stream.reader()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> interruptStatus = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            try (StreamTestThreads threads = new StreamTestThreads()) {
                Thread waiter = threads.virtual("waiter", () -> {
                    started.countDown();
                    try {
                        reader.hasNext();
                    } catch (CancellationException e) {
                        thrown.set(e);
                        interruptStatus.set(Thread.currentThread().isInterrupted());
                    }
                });
                started.await();
                while (waiter.getState() != Thread.State.WAITING) {
                    Thread.onSpinWait();
                }
                waiter.interrupt();
            }
            assertThat(thrown.get()).isInstanceOf(CancellationException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(interruptStatus.get()).as("interrupt status restored").isTrue();
        }
    }

    /** awaitNext(timeout) times out on an idle stream and returns null at the end. */
    @Test
    void awaitNextTimesOutAndEnds() throws Exception {
        try (BatchStream stream = BatchStream.create(domain, EVENTS); StreamReader reader = stream.reader()) {
            assertThatThrownBy(() -> reader.awaitNext(Duration.ofMillis(20))).isInstanceOf(TimeoutException.class);
            try (ColumnBatch batch = batch(domain, allocator, 0, 2)) {
                stream.append(batch);
            }
            assertThat(reader.awaitNext(Duration.ofMillis(20)).rows()).isEqualTo(2);
            stream.finish();
            assertThat(reader.awaitNext(Duration.ofMillis(20))).isNull();
            assertThat(reader.awaitNext()).isNull();
            assertThat(reader.returned()).isEqualTo(1);
        }
    }

    /** After close, readers fail with IllegalStateException and waiting readers wake up. */
    @Test
    void closeWakesAndFailsReaders() {
        BatchStream stream = BatchStream.create(domain, EVENTS);
        StreamReader reader = stream.reader();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (StreamTestThreads threads = new StreamTestThreads()) {
            Thread waiter = threads.platform("waiter", () -> {
                try {
                    reader.hasNext();
                } catch (IllegalStateException e) {
                    thrown.set(e);
                }
            });
            while (waiter.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
            stream.close();
        }
        assertThat(thrown.get()).hasMessageContaining("closed");
        assertThatThrownBy(stream::reader).isInstanceOf(IllegalStateException.class);
        reader.close();
    }

    /** A window handed out stays valid after its batches' owner closed them and the stream closed. */
    @Test
    void windowOutlivesStreamAndBatches() {
        BatchStream stream = BatchStream.create(domain, EVENTS);
        WindowReader windows = stream.countWindows(6, 6);
        for (int b = 0; b < 3; b++) {
            try (ColumnBatch batch = batch(domain, allocator, b * 4L, 4)) {
                stream.append(batch);
            }
        }
        Window w = windows.next();
        windows.close();
        stream.close();
        domain.barrier();
        assertThat(allocator.frees()).as("only the batch no window spans is freed").isEqualTo(1);
        assertThat(w.pieceCount()).isEqualTo(2);
        for (int r = 0; r < 6; r++) {
            assertThat(w.getLong(SEQ, r)).isEqualTo(r);
        }
        w.close();
        w.close();
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(3);
    }

    /** Readers opened, moved and closed at random never leak a hold nor free a batch twice. */
    @Test
    void randomOpenCloseOfCursorsLeaksNothing() throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        BatchStream stream = BatchStream.create(domain, EVENTS);
        List<StreamReader> readers = new ArrayList<>();
        long next = 0;
        for (int step = 0; step < 400; step++) {
            int op = random.nextInt(4);
            if (op == 0) {
                try (ColumnBatch batch = batch(domain, allocator, next, 3)) {
                    stream.append(batch);
                }
                next += 3;
            } else if (op == 1 && readers.size() < 5) {
                readers.add(stream.reader());
            } else if (op == 2 && !readers.isEmpty()) {
                readers.remove(random.nextInt(readers.size())).close();
            } else if (!readers.isEmpty()) {
                StreamReader reader = readers.get(random.nextInt(readers.size()));
                long before = reader.returned();
                try {
                    reader.awaitNext(Duration.ZERO);
                    assertThat(reader.returned()).isEqualTo(before + 1);
                } catch (TimeoutException nothingAppendedYet) {
                    assertThat(reader.returned()).isEqualTo(before);
                }
            }
        }
        readers.forEach(StreamReader::close);
        stream.close();
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(next / 3);
    }
}
