package dev.nexus.numa;

import java.util.List;
import java.util.Objects;

/**
 * The result of checking where a segment's pages are ({@link Placement#verifyOn(int)},
 * {@link Placement#check}). A check that cannot tell (one node, no libnuma, no page touched yet) is
 * {@link Status#SKIPPED}, never {@link Status#PASSED}.
 *
 * @param status the verdict
 * @param detail a sentence: the reason for a skip, or which pages are where
 * @param offNodePages indices (from the segment's first page) of the touched pages that are on
 *     another node, ascending; empty unless {@link Status#FAILED}
 */
public record PlacementCheck(Status status, String detail, List<Integer> offNodePages) {

    /** The verdicts. */
    public enum Status {
        /** Every touched page is on an expected node, and at least one page is touched. */
        PASSED,
        /** At least one touched page is on another node; {@code offNodePages} names them. */
        FAILED,
        /** The check cannot tell here; {@code detail} says why (e.g. "skipped: one node"). */
        SKIPPED
    }

    /**
     * Validates and copies.
     *
     * @param status the verdict
     * @param detail the explanation
     * @param offNodePages the off-node page indices
     */
    public PlacementCheck {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        offNodePages = List.copyOf(offNodePages);
    }

    static PlacementCheck skipped(String why) {
        return new PlacementCheck(Status.SKIPPED, "skipped: " + why, List.of());
    }

    /**
     * Whether the check passed (not skipped, not failed).
     *
     * @return {@code status() == PASSED}
     */
    public boolean passed() {
        return status == Status.PASSED;
    }
}
