package dev.nexus.numa;

import dev.nexus.numa.internal.NumaBinding;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where the pages of a segment are now, as the kernel reports it: {@code move_pages} in its query
 * form (libnuma's {@code numa_move_pages(0, count, pages, NULL, status, 0)}: no node list, so nothing
 * moves and each status is the page's node or {@code -errno}). A page that was never touched has no
 * node ({@code -ENOENT}, or {@code -EFAULT} on some kernels) and counts as {@link #untouched()}, not
 * as node 0.
 *
 * <p>A snapshot: pages may be touched, migrated or freed afterwards. Immutable, thread-safe. The
 * segment must stay mapped during {@link #of}; reading the pages of freed memory reports whatever is
 * mapped there now.
 */
public final class Placement {

    private static final int BATCH = 1 << 14;

    private final NumaTopology topology;
    private final long firstPage;
    private final long pageSize;
    private final int[] status;

    private Placement(NumaTopology topology, long firstPage, long pageSize, int[] status) {
        this.topology = topology;
        this.firstPage = firstPage;
        this.pageSize = pageSize;
        this.status = status;
    }

    /**
     * Asks the kernel for the node of every page that {@code segment} spans (touched or not; the
     * query touches nothing).
     *
     * @param segment a native segment
     * @return the placement of its pages
     * @throws UnsupportedOperationException without libnuma or kernel NUMA support, or where the kernel
     *     refuses {@code move_pages} ({@code EPERM}, {@code ENOSYS}), with the reason
     * @throws IllegalArgumentException if {@code segment} is a heap segment or NULL
     * @throws NumaException if {@code move_pages} fails otherwise (with errno and its meaning)
     */
    public static Placement of(MemorySegment segment) {
        return of(NumaRuntime.system(), segment);
    }

    /**
     * Checks that the touched pages of {@code segment} are on {@code node}; unlike {@link #of}, never
     * throws for a missing libnuma, and answers {@link PlacementCheck.Status#SKIPPED} (with the reason)
     * where it cannot tell: no libnuma, no kernel NUMA support, {@code move_pages} refused, one node.
     *
     * @param segment a native segment
     * @param node the expected node
     * @return the verdict
     * @throws IllegalArgumentException if {@code segment} is a heap segment or NULL
     */
    public static PlacementCheck check(MemorySegment segment, int node) {
        return check(NumaRuntime.system(), segment, node);
    }

    static PlacementCheck check(NumaRuntime runtime, MemorySegment segment, int node) {
        checkSegment(segment);
        NumaTopology topology = runtime.topology();
        if (!topology.canBind()) {
            return PlacementCheck.skipped(topology.whyNot().orElseThrow());
        }
        Placement placement;
        try {
            placement = of(runtime, segment);
        } catch (UnsupportedOperationException e) {
            return PlacementCheck.skipped(e.getMessage());
        }
        return placement.verifyOn(node);
    }

    static Placement of(NumaRuntime runtime, MemorySegment segment) {
        checkSegment(segment);
        NumaTopology topology = runtime.topology();
        if (!topology.canBind()) {
            throw new UnsupportedOperationException("Placement.of needs libnuma's numa_move_pages and kernel NUMA"
                    + " support: " + topology.whyNot().orElseThrow());
        }
        NumaBinding binding = runtime.binding();
        long page = binding.pageSize();
        long first = segment.address() & -page;
        long end = segment.address() + segment.byteSize();
        long spanned = segment.byteSize() == 0 ? 0 : (end - first + page - 1) / page;
        if (spanned > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("placement counts at most 2^31 pages: segment spans " + spanned
                    + " pages of " + page + " bytes");
        }
        int count = (int) spanned;
        int[] status = new int[count];
        for (int from = 0; from < count; from += BATCH) {
            int n = Math.min(BATCH, count - from);
            long[] pages = new long[n];
            for (int i = 0; i < n; i++) {
                pages[i] = first + (from + i) * page;
            }
            int[] part = new int[n];
            int errno = binding.movePages(pages, part);
            if (errno == NumaBinding.EPERM || errno == NumaBinding.ENOSYS) {
                throw new UnsupportedOperationException("the kernel refuses move_pages here: "
                        + runtime.describe(errno) + (errno == NumaBinding.EPERM
                        ? "; containers often forbid it (seccomp without CAP_SYS_NICE)" : ""));
            }
            if (errno != 0) {
                throw new NumaException("numa_move_pages(0, " + n + ", pages from 0x" + Long.toHexString(pages[0])
                        + ", NULL, status, 0)", errno, binding.strerror(errno));
            }
            System.arraycopy(part, 0, status, from, n);
        }
        return new Placement(topology, first, page, status);
    }

    private static void checkSegment(MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative() || segment.address() == 0) {
            throw new IllegalArgumentException("placement needs a native, non-NULL segment: " + segment);
        }
    }

    /**
     * The pages the segment spans (partial pages at either end included).
     *
     * @return a count
     */
    public int pages() {
        return status.length;
    }

    /**
     * The pages on {@code node}.
     *
     * @param node a node number
     * @return a count
     */
    public int pagesOn(int node) {
        return (int) Arrays.stream(status).filter(s -> s == node).count();
    }

    /**
     * The pages not touched yet: no page behind the address ({@code -ENOENT} or {@code -EFAULT}).
     *
     * @return a count
     */
    public int untouched() {
        return (int) Arrays.stream(status).filter(Placement::isUntouched).count();
    }

    /**
     * The node of one page.
     *
     * @param index a page index from the segment's first page
     * @return the node, or -1 if the page is untouched, or {@code -errno} below -1 for another status
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, pages())}
     */
    public int nodeOfPage(int index) {
        int s = status[Objects.checkIndex(index, status.length)];
        return s >= 0 ? s : isUntouched(s) ? -1 : Math.min(s, -2);
    }

    /**
     * Touched pages per node.
     *
     * @return node to page count, ascending by node, nodes without pages left out
     */
    public Map<Integer, Integer> pagesByNode() {
        Map<Integer, Integer> byNode = new TreeMap<>();
        for (int s : status) {
            if (s >= 0) {
                byNode.merge(s, 1, Integer::sum);
            }
        }
        return byNode;
    }

    /**
     * The size of the pages counted.
     *
     * @return bytes per page
     */
    public long pageSize() {
        return pageSize;
    }

    /**
     * Checks that every touched page is on {@code node}.
     *
     * @param node the expected node
     * @return {@code PASSED}; {@code FAILED} naming the off-node pages; or {@code SKIPPED} with the
     *     reason on a single-node process ("skipped: one node", as every page is then on node 0 and the
     *     check proves nothing) or when no page is touched
     */
    public PlacementCheck verifyOn(int node) {
        return verifyOn(List.of(node));
    }

    /**
     * Checks that every touched page is on one of {@code nodes} (an interleave set).
     *
     * @param nodes the expected nodes, non-empty
     * @return the verdict, as {@link #verifyOn(int)}
     * @throws IllegalArgumentException if {@code nodes} is empty
     */
    public PlacementCheck verifyOn(Collection<Integer> nodes) {
        Objects.requireNonNull(nodes, "nodes");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("verifyOn needs at least one node: nodes=" + nodes);
        }
        if (topology.allowedNodes().size() < 2) {
            return PlacementCheck.skipped("one node (this process may use nodes " + topology.allowedNodes()
                    + " only, so every page is there whatever the policy); " + summary());
        }
        List<Integer> off = new ArrayList<>();
        int touched = 0;
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < status.length; i++) {
            if (status[i] >= 0) {
                touched++;
                if (!nodes.contains(status[i])) {
                    off.add(i);
                    if (off.size() <= 8) {
                        where.append(where.isEmpty() ? "" : ", ").append("page ").append(i).append(" (0x")
                                .append(Long.toHexString(firstPage + i * pageSize)).append(") on node ").append(status[i]);
                    }
                }
            }
        }
        if (!off.isEmpty()) {
            return new PlacementCheck(PlacementCheck.Status.FAILED, off.size() + " of " + touched
                    + " touched pages are not on nodes " + nodes + ": " + where + (off.size() > 8 ? ", ..." : "")
                    + "; " + summary(), off);
        }
        if (touched == 0) {
            return PlacementCheck.skipped("no page touched yet (pages are placed on first touch); " + summary());
        }
        return new PlacementCheck(PlacementCheck.Status.PASSED, "all " + touched + " touched pages on nodes " + nodes
                + "; " + summary(), List.of());
    }

    private String summary() {
        return pages() + " pages: " + pagesByNode() + " by node, " + untouched() + " untouched";
    }

    private static boolean isUntouched(int status) {
        return status == -NumaBinding.ENOENT || status == -NumaBinding.EFAULT;
    }

    @Override
    public String toString() {
        return "Placement[" + summary() + "]";
    }
}
