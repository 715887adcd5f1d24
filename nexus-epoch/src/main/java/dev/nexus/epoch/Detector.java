package dev.nexus.epoch;

/**
 * How an epoch domain detects the end of a grace period. Both are correct; they differ in cost.
 *
 * @see EpochDomain.Builder#detector(Detector)
 */
public enum Detector {

    /**
     * The lock-free quiescence combining tree: readers report on their first pin in an epoch, the
     * advancer visits only pending subtrees, and long-idle slots are taken offline. Detection costs
     * O(stragglers · log T) for T slots. The default.
     */
    QUIESCENCE_TREE,

    /**
     * A scan of every leased slot per attempt, as crossbeam-epoch and liburcu do: O(T). Cheapest
     * when T is small; the baseline the tree is measured against.
     */
    FLAT_SCAN
}
