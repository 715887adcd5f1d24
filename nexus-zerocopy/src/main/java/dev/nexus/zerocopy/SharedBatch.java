package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.zerocopy.internal.BatchAccess;
import dev.nexus.zerocopy.internal.BatchLayout;
import dev.nexus.zerocopy.internal.BatchParser;
import dev.nexus.zerocopy.internal.BatchWriter;
import dev.nexus.zerocopy.internal.ColumnData;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Batches shared between processes through files, typically under {@code /dev/shm} (memory, not
 * disk): {@link #publish} writes a batch's segment into a new file and stores the ready word last;
 * {@link #map} maps such a file read-only in any process and reads it as a {@link ColumnBatch}, in
 * place. The file is the batch segment described in {@code docs/zerocopy.md} ("Layout").
 *
 * <p>A file is refused ({@link InvalidBatchFileException} with its {@link InvalidBatchFileException.Reason})
 * unless it starts with the batch magic, has a layout version this code reads, has its ready word
 * set, is exactly as long as its header says, and every buffer of its column table lies inside it
 * with the lengths its row count implies (UTF8/BINARY/LIST offsets are checked in order and in
 * bounds). So a half-written file, a foreign file, a file of another version and a truncated file
 * are never read as a batch.
 *
 * <p>Caller assumptions: a published file is immutable. The publisher may delete it at any time
 * (processes that mapped it keep their mapping, as POSIX unlink semantics give), but must not
 * truncate or rewrite it: a mapped page that disappears faults on access.
 *
 * <p>Memory effects: every write of {@code publish} happens-before every read of a process whose
 * {@code map} saw the ready word (a release store of the ready word after all other bytes, paired
 * with an acquire load in {@code map}, on the same physical pages of the shared mapping).
 */
public final class SharedBatch {

    /** The usual directory of shared-memory files on Linux. */
    public static final Path SHM = Path.of("/dev/shm");

    // release store of the ready word; pairs with the acquire load in BatchParser.parse (in the
    // mapping process): publishes every byte written before it. Aligned: mappings are page-aligned.
    private static final VarHandle READY_WORD = ValueLayout.JAVA_LONG.varHandle();

    private SharedBatch() {
    }

    /**
     * Writes {@code batch} (a slice or an imported batch included: the file holds its rows only,
     * compacted to start at row 0) into a new file, through a shared read-write mapping: every byte,
     * then the ready word with a release store. If writing fails the file is deleted.
     *
     * @param batch an open batch; the caller keeps it open (or holds a guard) while this runs
     * @param file a file that does not exist yet, on a file system that supports mapping (tmpfs
     *     under {@code /dev/shm} keeps it in memory)
     * @return {@code file}
     * @throws java.nio.file.FileAlreadyExistsException if the file exists
     * @throws IOException if the file cannot be created, sized or mapped
     */
    public static Path publish(ColumnBatch batch, Path file) throws IOException {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(file, "file");
        Schema schema = batch.schema();
        List<ColumnData> columns = new ArrayList<>(schema.size());
        for (int c = 0; c < schema.size(); c++) {
            columns.add(BatchAccess.column(batch, c));
        }
        BatchWriter.Content[] contents = BatchWriter.contentsOf(schema, batch.rows(), columns, batch.offset());
        BatchLayout.Plan plan = BatchWriter.plan(schema, contents);
        // CREATE_NEW: fails, touching nothing, if the file exists; from here on the file is ours to
        // delete if writing fails
        FileChannel created = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        boolean done = false;
        try (FileChannel channel = created; Arena arena = Arena.ofConfined()) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, plan.totalBytes(), arena);
            BatchWriter.fill(mapping, plan, batch.rows(), contents, false);
            READY_WORD.setRelease(mapping, BatchLayout.READY_OFFSET, BatchLayout.READY);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(file);
            }
        }
        return file;
    }

    /**
     * Publishes each batch of {@code batches} (a stream's, for example) as its own file
     * {@code prefix-000000.nxzb}, {@code prefix-000001.nxzb}... in {@code directory}, in order.
     *
     * @param batches the batches (a stream reader's, for example; a blocking iterator is fine); each must
     *     be open while it is published, and is not closed by this method
     * @param directory an existing directory
     * @param prefix the file name prefix
     * @return the files written, in order
     * @throws IOException as {@link #publish}; files written before the failure stay
     */
    public static List<Path> publishAll(Iterator<ColumnBatch> batches, Path directory, String prefix)
            throws IOException {
        Objects.requireNonNull(batches, "batches");
        Objects.requireNonNull(prefix, "prefix");
        List<Path> files = new ArrayList<>();
        while (batches.hasNext()) {
            files.add(publish(batches.next(), directory.resolve(String.format("%s-%06d.nxzb", prefix, files.size()))));
        }
        return files;
    }

    /**
     * Maps a published file read-only and reads it as a batch, in place. The batch
     * {@linkplain ColumnBatch#isImported() is imported}; its {@link ColumnBatch#segment()} is the
     * mapping. Closing it (and releasing every hold) unmaps the file after a grace period of
     * {@code domain} ({@code domain.defer}).
     *
     * @param domain the domain whose grace period delays the unmapping
     * @param file a file written by {@link #publish}
     * @return the batch (close it when done)
     * @throws InvalidBatchFileException if the file is not a ready batch of this layout version (bad
     *     magic, unknown version, ready word not set, truncated, inconsistent header); nothing stays
     *     mapped
     * @throws IOException if the file cannot be opened or mapped
     * @throws IllegalStateException if the domain is closed
     */
    public static ColumnBatch map(EpochDomain domain, Path file) throws IOException {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(file, "file");
        if (domain.isClosed()) {
            throw new IllegalStateException("epoch domain '" + domain.name() + "' is closed: cannot map " + file);
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < BatchLayout.HEADER_BYTES) {
                throw new InvalidBatchFileException(InvalidBatchFileException.Reason.TRUNCATED, file + ": " + size
                        + " bytes, less than the " + BatchLayout.HEADER_BYTES + "-byte header (truncated, or still"
                        + " being created)");
            }
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return BatchFactory.mapped(domain, mapping, arena::close);
        } catch (BatchParser.BatchFormatException e) {
            arena.close();
            throw new InvalidBatchFileException(e.reason(), file + ": " + e.getMessage());
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }
}
