package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;
import java.nio.file.Path;

/**
 * The other process of {@link SharedBatchTest}: {@code verify <file> <rows>} maps a published file and
 * checks every value of the reference batch of {@link ColumnBatchTest}; {@code publish <file> <rows>}
 * builds that batch and publishes it. Exit status 0 on success, 1 with a stack trace on failure.
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
            if (args[0].equals("verify")) {
                try (ColumnBatch batch = SharedBatch.map(domain, file)) {
                    if (batch.rows() != rows || !batch.schema().equals(ColumnBatchTest.ALL)) {
                        throw new AssertionError("rows " + batch.rows() + " schema " + batch.schema());
                    }
                    for (int r = 0; r < rows; r++) {
                        ColumnBatchTest.checkRow(batch, r, r);
                    }
                }
                System.out.println("verified " + rows + " rows of " + file);
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
