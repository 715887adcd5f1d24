package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.Guard;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.ColumnData;
import dev.nexus.zerocopy.internal.Hold;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a batch's memory goes back: after close, after every hold, after a grace period. */
class ColumnBatchLifetimeTest {

    private final EpochDomain domain = TestSupport.inlineDomain("lifetime-test");
    private final CountingAllocator allocator = new CountingAllocator();

    @AfterEach
    void tearDown() {
        domain.close();
        assertThat(allocator.liveCount()).as("every segment freed").isZero();
        assertThat(allocator.frees()).as("freed exactly once each").isEqualTo(allocator.allocations());
    }

    private ColumnBatch batch(int rows) {
        return ColumnBatchTest.reference(domain, allocator, rows);
    }

    /** Closing a batch frees its segment after a grace period, exactly once; close is idempotent. */
    @Test
    void closeFreesOnce() {
        ColumnBatch batch = batch(10);
        assertThat(allocator.liveCount()).isEqualTo(1);
        batch.close();
        batch.close();
        domain.barrier();
        assertThat(allocator.liveCount()).isZero();
        assertThat(batch.isClosed()).isTrue();
    }

    /** With the malloc allocator (the fast path) the one segment is retired and freed the same way. */
    @Test
    void mallocSegmentIsRetiredAndFreed() {
        dev.nexus.epoch.NativeAllocator malloc = dev.nexus.epoch.NativeAllocator.malloc();
        ColumnBatch batch;
        try (ColumnBatch.Builder b = ColumnBatch.builder(domain, malloc, ColumnBatchTest.ALL)) {
            for (int r = 0; r < 20; r++) {
                ColumnBatchTest.appendRow(b, r);
            }
            batch = b.build();
        }
        ColumnBatchTest.checkRow(batch, 19, 19);
        long size = batch.segment().byteSize();
        long before = domain.stats().reclaimedBytes();
        batch.close();
        domain.barrier();
        assertThat(domain.stats().reclaimedBytes() - before).as("the whole segment reclaimed").isEqualTo(size);
        assertThat(domain.stats().reclaimFailures()).isZero();
    }

    /** With a checked allocator, a read after the memory was freed throws instead of reading freed memory. */
    @Test
    void readAfterFreeThrows() {
        ColumnBatch batch = batch(10);
        batch.close();
        domain.barrier();
        assertThatThrownBy(() -> batch.getLong(3, 0)).isInstanceOf(IllegalStateException.class);
    }

    /** A slice keeps the memory of a closed batch until the slice is closed. */
    @Test
    void sliceKeepsTheMemory() {
        ColumnBatch batch = batch(10);
        ColumnBatch slice = batch.slice(2, 8);
        batch.close();
        domain.barrier();
        assertThat(allocator.liveCount()).as("held by the slice").isEqualTo(1);
        ColumnBatchTest.checkRow(slice, 0, 2);
        try (ColumnBatch nested = slice.slice(1, 2)) {
            ColumnBatchTest.checkRow(nested, 0, 3);
        }
        slice.close();
        slice.close();
        domain.barrier();
        assertThat(allocator.liveCount()).isZero();
    }

    /**
     * A batch (or its last hold) closed after its domain frees its memory once the domain's close has
     * completed; an imported batch is released to its producer the same way.
     */
    @Test
    void closedAfterItsDomain() {
        EpochDomain early = TestSupport.inlineDomain("closed-early");
        ColumnBatch batch = ColumnBatchTest.reference(early, allocator, 5);
        ColumnBatch slice = batch.slice(1, 2);
        AtomicInteger released = new AtomicInteger();
        Schema schema = Schema.of(Field.of("x", ColumnType.INT64, false));
        ColumnBatch in = BatchAccess.imported(early, schema, 1, List.of(new ColumnData(ColumnType.INT64, null, 1, 0,
                MemorySegment.NULL, MemorySegment.NULL, MemorySegment.ofArray(new long[1]))),
                released::incrementAndGet);
        batch.close();
        early.close();
        assertThat(allocator.liveCount()).as("the slice still holds it").isEqualTo(1);
        slice.close();
        in.close();
        assertThat(allocator.liveCount()).isZero();
        assertThat(released).hasValue(1);
    }

    /** A hold keeps the memory past close; it is reported with its site; the last release frees it. */
    @Test
    void holdsAreReportedAndReleased() {
        ColumnBatch batch = batch(4);
        Hold hold = BatchAccess.retain(batch, "export");
        long atCloseBefore = ZeroCopyStats.current().holdsOpenAtClose();
        batch.close();
        assertThat(ZeroCopyStats.current().holdsOpenAtClose()).isGreaterThan(atCloseBefore);
        List<HoldInfo> open = batch.openHolds();
        assertThat(open).hasSize(1);
        assertThat(open.getFirst().kind()).isEqualTo("export");
        assertThat(open.getFirst().site()).contains("holdsAreReportedAndReleased");
        domain.barrier();
        assertThat(allocator.liveCount()).isEqualTo(1);
        hold.release();
        hold.release();
        domain.barrier();
        assertThat(allocator.liveCount()).isZero();
        assertThat(batch.openHolds()).isEmpty();
        assertThatThrownBy(() -> BatchAccess.retain(batch, "late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("late");
        assertThatThrownBy(() -> batch.slice(0, 1)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * A hold dropped without release is reported (counted, logged with its site) and its batch's memory
     * stays allocated, since a consumer may still read it.
     */
    @Test
    void droppedHoldIsReportedAndKeepsTheMemory() throws InterruptedException {
        CountingAllocator own = new CountingAllocator();
        ColumnBatch batch = ColumnBatchTest.reference(domain, own, 2);
        long before = ZeroCopyStats.current().droppedHolds();
        BatchAccess.retain(batch, "leaky");
        batch.close();
        long deadline = System.nanoTime() + TestSupport.LONG.toNanos();
        while (ZeroCopyStats.current().droppedHolds() == before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(ZeroCopyStats.current().droppedHolds()).isGreaterThan(before);
        domain.barrier();
        assertThat(own.liveCount()).as("a dropped hold never frees").isEqualTo(1);
        assertThat(batch.openHolds()).extracting(HoldInfo::kind).containsExactly("leaky");
    }

    /** With -Dnexus.zerocopy.holdSites=false (read once per JVM) holds record no site; by default they do. */
    @Test
    void holdSitesCanBeTurnedOff() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        for (String value : new String[] {"false", "true"}) {
            Process process = new ProcessBuilder(javaCommand, "-ea", "--enable-native-access=ALL-UNNAMED",
                    "-Dnexus.zerocopy.holdSites=" + value, "-cp", System.getProperty("java.class.path"),
                    HoldSitesChild.class.getName()).redirectErrorStream(true).start();
            String output;
            try (var in = process.getInputStream()) {
                output = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            assertThat(process.waitFor(TestSupport.LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            if (value.equals("false")) {
                assertThat(output).contains("site=(not recorded: -Dnexus.zerocopy.holdSites=false) kind=slice");
            } else {
                assertThat(output).contains("site=dev.nexus.zerocopy.HoldSitesChild.main:");
            }
        }
    }

    /** A reader inside a guard keeps reading a closed batch; the memory goes only after its guard closes. */
    @Test
    void pinnedReaderIsNeverFreedUnder() throws Exception {
        ColumnBatch batch = batch(1000);
        CountDownLatch pinned = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        List<Throwable> failures = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (Guard guard = domain.pin()) {
                pinned.countDown();
                assertThat(closed.await(TestSupport.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                for (int round = 0; round < 3; round++) {
                    for (int r = 0; r < 1000; r++) {
                        ColumnBatchTest.checkRow(batch, r, r);
                    }
                }
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            }
        });
        assertThat(pinned.await(TestSupport.LONG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        batch.close();
        closed.countDown();
        assertThat(reader.join(TestSupport.LONG)).isTrue();
        assertThat(failures).isEmpty();
        domain.barrier();
        assertThat(allocator.liveCount()).isZero();
    }

    /** Holds taken and released by many threads racing close() free the memory exactly once. */
    @Test
    void racingHoldsFreeExactlyOnce() throws Exception {
        for (int round = 0; round < 50; round++) {
            ColumnBatch batch = batch(3);
            List<Hold> holds = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                holds.add(BatchAccess.retain(batch, "export"));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (Hold hold : holds) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    hold.release();
                    hold.release();
                }));
            }
            go.countDown();
            batch.close();
            for (Thread t : threads) {
                assertThat(t.join(TestSupport.LONG)).isTrue();
            }
        }
        domain.barrier();
        assertThat(allocator.frees()).isEqualTo(50);
    }

    /** An imported batch reads foreign memory in place and releases it to its producer once, after close. */
    @Test
    void importedBatchReleasesToItsProducer() {
        AtomicInteger released = new AtomicInteger();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment values = arena.allocate(8 * 4, 64);
            for (int i = 0; i < 4; i++) {
                values.setAtIndex(ValueLayout.JAVA_LONG, i, i * 11L);
            }
            MemorySegment validity = arena.allocate(8, 64);
            validity.set(ValueLayout.JAVA_BYTE, 0, (byte) 0b1011);
            Schema schema = Schema.of(Field.of("x", ColumnType.INT64, true));
            ColumnBatch in = BatchAccess.imported(domain, schema, 3, 1, List.of(new ColumnData(ColumnType.INT64, null,
                    3, 1, validity, MemorySegment.NULL, values)), released::incrementAndGet);
            assertThat(in.isImported()).isTrue();
            assertThat(in.getLong(0, 0)).isEqualTo(11);
            assertThat(in.isNull(0, 0)).isFalse();
            assertThat(in.isNull(0, 1)).isTrue();
            assertThat(in.getLong(0, 2)).isEqualTo(33);
            assertThat(in.nullCount(0)).isEqualTo(1);
            assertThatThrownBy(in::segment).isInstanceOf(IllegalStateException.class).hasMessageContaining("imported");
            ColumnBatch slice = in.slice(1, 3);
            in.close();
            domain.barrier();
            assertThat(released).hasValue(0);
            slice.close();
            domain.barrier();
            assertThat(released).hasValue(1);
        }
    }

    /** An import with Arrow's unknown null count (-1) counts the nulls from its bitmap. */
    @Test
    void unknownNullCountIsCounted() {
        MemorySegment values = MemorySegment.ofArray(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        MemorySegment validity = MemorySegment.ofArray(new byte[] {(byte) 0b1010_1010, 0b11});
        Schema schema = Schema.of(Field.of("x", ColumnType.INT32, true));
        try (ColumnBatch in = BatchAccess.imported(domain, schema, 10, List.of(new ColumnData(ColumnType.INT32, null,
                10, -1, validity, MemorySegment.NULL, values)), () -> { })) {
            assertThat(in.nullCount(0)).isEqualTo(4);
            assertThat(BatchAccess.column(in, 0).nullCount()).isEqualTo(4);
            assertThat(in.getInt(0, 9)).isEqualTo(10);
        }
    }

    /** An import whose columns do not match the schema is refused and nothing is taken over. */
    @Test
    void mismatchedImportIsRefused() {
        AtomicInteger released = new AtomicInteger();
        MemorySegment values = MemorySegment.ofArray(new long[4]);
        Schema schema = Schema.of(Field.of("x", ColumnType.INT64, false));
        ColumnData wrongType = new ColumnData(ColumnType.INT32, null, 4, 0, MemorySegment.NULL, MemorySegment.NULL,
                values);
        assertThatThrownBy(() -> BatchAccess.imported(domain, schema, 4, List.of(wrongType), released::incrementAndGet))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INT32");
        ColumnData tooShort = new ColumnData(ColumnType.INT64, null, 5, 0, MemorySegment.NULL, MemorySegment.NULL,
                values);
        assertThatThrownBy(() -> BatchAccess.imported(domain, schema, 5, List.of(tooShort), released::incrementAndGet))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        ColumnData nulls = new ColumnData(ColumnType.INT64, null, 4, 2, MemorySegment.NULL, MemorySegment.NULL, values);
        assertThatThrownBy(() -> BatchAccess.imported(domain, schema, 4, List.of(nulls), released::incrementAndGet))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nulls");
        assertThat(released).hasValue(0);
    }

    /** BatchAccess.column of a slice gives the whole buffers, the slice's length and its null count. */
    @Test
    void columnDataOfASlice() {
        try (ColumnBatch batch = batch(30); ColumnBatch slice = batch.slice(3, 9)) {
            ColumnData data = BatchAccess.column(slice, 0);
            assertThat(data.length()).isEqualTo(6);
            assertThat(data.nullCount()).isEqualTo(2); // rows 4 and 7
            assertThat(data.values().address()).isEqualTo(batch.values(0).address());
            assertThat(data.type()).isEqualTo(ColumnType.INT8);
        }
    }
}
