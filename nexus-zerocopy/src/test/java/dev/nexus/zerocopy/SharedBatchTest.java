package dev.nexus.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.InvalidBatchFileException.Reason;
import dev.nexus.zerocopy.internal.BatchLayout;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batches published as files and mapped back, in this process and in another. */
class SharedBatchTest {

    private final EpochDomain domain = TestSupport.inlineDomain("shm-test");
    private final CountingAllocator allocator = new CountingAllocator();
    private final Path dir;

    SharedBatchTest() throws IOException {
        Path base = Files.isDirectory(SharedBatch.SHM) && Files.isWritable(SharedBatch.SHM) ? SharedBatch.SHM
                : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "nexus-zc-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        domain.close();
        assertThat(allocator.liveCount()).as("every segment freed").isZero();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path published(int rows) throws IOException {
        try (ColumnBatch batch = ColumnBatchTest.reference(domain, allocator, rows)) {
            return SharedBatch.publish(batch, dir.resolve("batch-" + rows + ".nxzb"));
        }
    }

    /** A published batch maps back with every value, its segment is the mapping, and it unmaps on close. */
    @Test
    void roundTripInProcess() throws IOException {
        Path file = published(300);
        ColumnBatch mapped = SharedBatch.map(domain, file);
        assertThat(mapped.isImported()).isTrue();
        assertThat(mapped.schema()).isEqualTo(ColumnBatchTest.ALL);
        assertThat(mapped.segment().byteSize()).isEqualTo(Files.size(file));
        for (int r = 0; r < 300; r++) {
            ColumnBatchTest.checkRow(mapped, r, r);
        }
        assertThat(mapped.nullCount(0)).isEqualTo(100);
        mapped.close();
        domain.barrier();
        assertThatThrownBy(() -> mapped.getLong(3, 0)).as("unmapped after the grace period")
                .isInstanceOf(IllegalStateException.class);
    }

    /** A mapping stays readable after the file is deleted (the publisher may unlink it at any time). */
    @Test
    void mappingOutlivesTheFile() throws IOException {
        Path file = published(64);
        try (ColumnBatch mapped = SharedBatch.map(domain, file)) {
            Files.delete(file);
            for (int r = 0; r < 64; r++) {
                ColumnBatchTest.checkRow(mapped, r, r);
            }
        }
    }

    /** A slice publishes only its rows, compacted to row 0, bitmaps re-aligned. */
    @Test
    void sliceIsPublishedCompacted() throws IOException {
        try (ColumnBatch batch = ColumnBatchTest.reference(domain, allocator, 50);
             ColumnBatch slice = batch.slice(13, 42)) {
            Path file = SharedBatch.publish(slice, dir.resolve("slice.nxzb"));
            try (ColumnBatch mapped = SharedBatch.map(domain, file)) {
                assertThat(mapped.rows()).isEqualTo(29);
                for (int r = 0; r < 29; r++) {
                    ColumnBatchTest.checkRow(mapped, r, r + 13);
                }
                assertThat(mapped.nullCount(7)).isEqualTo(slice.nullCount(7));
            }
        }
    }

    /** A stream of batches is published one file each, in order. */
    @Test
    void publishAllWritesOneFilePerBatch() throws IOException {
        List<ColumnBatch> batches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batches.add(ColumnBatchTest.reference(domain, allocator, 10 + i));
        }
        List<Path> files = SharedBatch.publishAll(batches.iterator(), dir, "stream");
        batches.forEach(ColumnBatch::close);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("stream-000000.nxzb", "stream-000001.nxzb", "stream-000002.nxzb");
        for (int i = 0; i < 3; i++) {
            try (ColumnBatch mapped = SharedBatch.map(domain, files.get(i))) {
                assertThat(mapped.rows()).isEqualTo(10 + i);
                ColumnBatchTest.checkRow(mapped, 9 + i, 9 + i);
            }
        }
    }

    /** Publishing over an existing file is refused and leaves it alone. */
    @Test
    void publishDoesNotOverwrite() throws IOException {
        Path file = published(5);
        long size = Files.size(file);
        try (ColumnBatch batch = ColumnBatchTest.reference(domain, allocator, 9)) {
            assertThatThrownBy(() -> SharedBatch.publish(batch, file)).isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(Files.size(file)).isEqualTo(size);
    }

    private static void patch(Path file, long offset, long value, boolean isInt) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment m = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size(), arena);
            if (isInt) {
                m.set(ValueLayout.JAVA_INT, offset, (int) value);
            } else {
                m.set(ValueLayout.JAVA_LONG, offset, value);
            }
        }
    }

    private void assertRefused(Path file, Reason reason, String message) {
        assertThatThrownBy(() -> SharedBatch.map(domain, file)).isInstanceOf(InvalidBatchFileException.class)
                .hasMessageContaining(message).hasMessageContaining(file.toString())
                .satisfies(e -> assertThat(((InvalidBatchFileException) e).reason()).isEqualTo(reason));
    }

    /** A file whose ready word is not set (a writer that has not finished, or died) is refused. */
    @Test
    void halfWrittenFileIsRefused() throws IOException {
        Path file = published(20);
        patch(file, BatchLayout.READY_OFFSET, 0, false);
        assertRefused(file, Reason.NOT_READY, "ready word");
    }

    /** A foreign file (bad magic) is refused, however long. */
    @Test
    void foreignFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("foreign"), "PAR1".repeat(100), StandardCharsets.US_ASCII);
        assertRefused(file, Reason.BAD_MAGIC, "magic");
    }

    /** A file of another layout version is refused. */
    @Test
    void unknownVersionIsRefused() throws IOException {
        Path file = published(20);
        patch(file, BatchLayout.VERSION_OFFSET, 99, true);
        assertRefused(file, Reason.UNKNOWN_VERSION, "layout version 99");
    }

    /** A truncated file is refused, whether cut in its buffers or inside its header. */
    @Test
    void truncatedFileIsRefused() throws IOException {
        Path file = published(20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 64);
        }
        assertRefused(file, Reason.TRUNCATED, "only");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(10);
        }
        assertRefused(file, Reason.TRUNCATED, "10 bytes");
        Path empty = Files.createFile(dir.resolve("empty"));
        assertRefused(empty, Reason.TRUNCATED, "0 bytes");
    }

    /** A header whose buffer table points outside the file, or whose offsets run backwards, is refused. */
    @Test
    void corruptHeaderIsRefused() throws IOException {
        Path file = published(20);
        patch(file, BatchLayout.columnEntry(3) + BatchLayout.COL_VALUES_OFFSET, 1L << 40, false);
        assertRefused(file, Reason.CORRUPT, "column 3");
        Path other = published(21);
        long offsets;
        try (FileChannel channel = FileChannel.open(other, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            offsets = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena)
                    .get(ValueLayout.JAVA_LONG, BatchLayout.columnEntry(7) + BatchLayout.COL_OFFSETS_OFFSET);
        }
        patch(other, offsets + 4 * 5, 1_000_000, true);
        assertRefused(other, Reason.CORRUPT, "less than the one before");
    }

    /** Another JVM maps a file published here and checks every value; and the other way round. */
    @Test
    void twoProcesses() throws Exception {
        Path file = published(2_000);
        runChild("verify", file, 2_000);
        Path fromChild = dir.resolve("from-child.nxzb");
        runChild("publish", fromChild, 1_500);
        try (ColumnBatch mapped = SharedBatch.map(domain, fromChild)) {
            assertThat(mapped.rows()).isEqualTo(1_500);
            for (int r = 0; r < 1_500; r++) {
                ColumnBatchTest.checkRow(mapped, r, r);
            }
        }
    }

    /** How many times {@link #awaitReady} was refused, by kind, in this process. */
    static final java.util.concurrent.ConcurrentHashMap<String, Long> REFUSALS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Maps {@code file} as soon as it is ready; until then only "no such file", NOT_READY and
     * TRUNCATED (still being created) refusals are allowed.
     */
    static ColumnBatch awaitReady(EpochDomain domain, Path file) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TestSupport.LONG.toNanos();
        while (true) {
            try {
                return SharedBatch.map(domain, file);
            } catch (java.nio.file.NoSuchFileException e) {
                REFUSALS.merge("absent", 1L, Long::sum);
            } catch (InvalidBatchFileException e) {
                if (e.reason() != Reason.NOT_READY && e.reason() != Reason.TRUNCATED) {
                    throw e;
                }
                REFUSALS.merge(e.reason().name(), 1L, Long::sum);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " not ready within " + TestSupport.LONG);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * A reader polling a file while another thread publishes it never reads it before it is ready: every
     * refusal is "not there", NOT_READY or TRUNCATED, and the batch it finally maps is complete.
     */
    @Test
    void pollingReaderNeverSeesAHalfWrittenFile() throws Exception {
        int rows = 20_000;
        Path file = dir.resolve("raced.nxzb");
        REFUSALS.clear();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (ColumnBatch mapped = awaitReady(domain, file)) {
                assertThat(mapped.rows()).isEqualTo(rows);
                for (int r = 0; r < rows; r++) {
                    ColumnBatchTest.checkRow(mapped, r, r);
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        try (ColumnBatch batch = ColumnBatchTest.reference(domain, allocator, rows)) {
            long deadline = System.nanoTime() + TestSupport.LONG.toNanos();
            while (REFUSALS.isEmpty() && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1); // the reader is polling before anything is published
            }
            SharedBatch.publish(batch, file);
        }
        assertThat(reader.join(TestSupport.LONG)).isTrue();
        System.out.println("polling reader refusals before the file was ready: " + REFUSALS);
        assertThat(failures).isEmpty();
        assertThat(REFUSALS).isNotEmpty();
    }

    /** Another JVM polls a file while this one publishes it, and maps it only once complete. */
    @Test
    void otherProcessPollsWhileThisOnePublishes() throws Exception {
        int rows = 20_000;
        Path file = dir.resolve("raced-across.nxzb");
        Process child = startChild("await", file, rows);
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
        String first = out.readLine(); // the child is polling from here on
        assertThat(first).as("the child's first line").startsWith("polling");
        try (ColumnBatch batch = ColumnBatchTest.reference(domain, allocator, rows)) {
            SharedBatch.publish(batch, file);
        }
        String rest = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(TestSupport.LONG.toSeconds(), TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(child.exitValue()).as("child exit status; its output:\n%s", rest).isZero();
        assertThat(rest).contains("verified " + rows);
        System.out.println("child await: " + rest.strip());
    }

    private static void runChild(String mode, Path file, int rows) throws Exception {
        finishChild(startChild(mode, file, rows), mode, rows);
    }

    private static Process startChild(String mode, Path file, int rows) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        return new ProcessBuilder(java, "-ea", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SharedBatchChild.class.getName(), mode,
                file.toString(), Integer.toString(rows)).redirectErrorStream(true).start();
    }

    private static void finishChild(Process process, String mode, int rows) throws Exception {
        String output;
        try (var in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(TestSupport.LONG.toSeconds(), TimeUnit.SECONDS)).as("child finished").isTrue();
        assertThat(process.exitValue()).as("child exit status; its output:\n%s", output).isZero();
        assertThat(output).contains(mode.equals("publish") ? "published " + rows : "verified " + rows);
        System.out.println("child " + mode + ": " + output.strip());
    }
}
