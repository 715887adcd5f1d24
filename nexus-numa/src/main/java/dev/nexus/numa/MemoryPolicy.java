package dev.nexus.numa;

import dev.nexus.numa.internal.CpuList;
import dev.nexus.numa.internal.NumaBinding;

/**
 * One {@code mbind} policy: the mode and the nodes of the mask. {@code placed == false} means no
 * {@code mbind} at all (the fallback): the pages land where they are first touched.
 *
 * @param mode {@link NumaBinding#MPOL_BIND}, {@link NumaBinding#MPOL_PREFERRED} or
 *     {@link NumaBinding#MPOL_INTERLEAVE}
 * @param nodes the nodes of the mask, ascending
 * @param placed whether {@code mbind} is called
 */
record MemoryPolicy(int mode, int[] nodes, boolean placed) {

    /** The node a first touch should come from, or -1 when the policy spans several nodes. */
    int singleNode() {
        return nodes.length == 1 ? nodes[0] : -1;
    }

    /** Whether the kernel places pages by this policy whichever thread touches them first. */
    boolean placesRegardlessOfToucher() {
        return placed && mode != NumaBinding.MPOL_PREFERRED;
    }

    static String modeName(int mode) {
        return switch (mode) {
            case NumaBinding.MPOL_BIND -> "MPOL_BIND";
            case NumaBinding.MPOL_PREFERRED -> "MPOL_PREFERRED";
            case NumaBinding.MPOL_INTERLEAVE -> "MPOL_INTERLEAVE";
            default -> "mode " + mode;
        };
    }

    @Override
    public String toString() {
        return modeName(mode) + " nodes " + CpuList.format(nodes);
    }
}
