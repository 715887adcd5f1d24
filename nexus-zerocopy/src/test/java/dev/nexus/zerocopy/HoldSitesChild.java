package dev.nexus.zerocopy;

import dev.nexus.epoch.EpochDomain;

/**
 * Run by {@link ColumnBatchLifetimeTest} in a JVM of its own (the switch is read once per process):
 * prints the site of a slice's hold.
 */
public final class HoldSitesChild {

    private HoldSitesChild() {
    }

    /**
     * Prints {@code site=<the site>}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (EpochDomain domain = EpochDomain.builder().name("sites").reclaimInline(true).build();
             ColumnBatch batch = ColumnBatchTest.reference(domain, new CountingAllocator(), 3);
             ColumnBatch slice = batch.slice(0, 1)) {
            System.out.println("site=" + batch.openHolds().getFirst().site() + " kind="
                    + slice.openHolds().getFirst().kind());
        }
    }
}
