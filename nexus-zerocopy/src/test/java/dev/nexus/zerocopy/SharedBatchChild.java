package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import java.nio.file.Path;

/**
 * The other process of {@link SharedBatchTest}: {@code verify <file> <rows>} maps a published file and
 * checks every value of the reference batch of {@link ColumnBatchTest}; {@code await <file> <rows>}
 * does the same but polls until the file is ready, accepting only "not there yet", "not ready" and
 * "still being created" refusals meanwhile; {@code publish <file> <rows>} builds that batch and
 * publishes it. Exit status 0 on success, 1 with a stack trace on failure.
 */
public final class SharedBatchChild {

    private SharedBatchChild() {
    }

    /**
     * Runs one mode.
     *
     * @param args mode, file, rows
     */
    public static void main(String[] args) {
        try (EpochDomain domain = EpochDomain.builder().name("child").reclaimInline(true).build()) {
            Path file = Path.of(args[1]);
            int rows = Integer.parseInt(args[2]);
            if (args[0].equals("await")) {
                System.out.println("polling " + file);
                System.out.flush();
            }
            if (args[0].equals("verify") || args[0].equals("await")) {
                try (ColumnBatch batch = args[0].equals("await") ? SharedBatchTest.awaitReady(domain, file)
                        : SharedBatch.map(domain, file)) {
                    if (batch.rows() != rows || !batch.schema().equals(ColumnBatchTest.ALL)) {
                        throw new AssertionError("rows " + batch.rows() + " schema " + batch.schema());
                    }
                    for (int r = 0; r < rows; r++) {
                        ColumnBatchTest.checkRow(batch, r, r);
                    }
                }
                System.out.println("verified " + rows + " rows of " + file + "; refusals before ready: "
                        + SharedBatchTest.REFUSALS);
            } else {
                CountingAllocator allocator = new CountingAllocator();
                try (ColumnBatch batch = ColumnBatchTest.reference(domain, allocator, rows)) {
                    SharedBatch.publish(batch, file);
                }
                System.out.println("published " + rows + " rows to " + file);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
