package dev.nexus.demo;

/** How the cache reclaims a value that a writer replaced while readers may still be reading it. */
enum Strategy {

    /** {@link EpochCache}: Nexus guards and {@code retire}. */
    EPOCH("epoch", "Nexus epoch domain: a guard per read, retire() on replace"),

    /** {@link RefCountCache}: a reference count per value. */
    REFCOUNT("refcount", "an AtomicInteger per value: +1/-1 per read, free at zero"),

    /** {@link ArenaCache}: a shared arena per value. */
    ARENA("arena", "an Arena.ofShared() per value, closed on replace; readers retry when it closes");

    private final String label;
    private final String description;

    Strategy(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /**
     * The short name in progress lines and the closing table.
     *
     * @return the label
     */
    String label() {
        return label;
    }

    /**
     * One line saying how the strategy reclaims.
     *
     * @return the description
     */
    String description() {
        return description;
    }
}
