package dev.nexus.numa;

import dev.nexus.numa.internal.Bits;
import dev.nexus.numa.internal.JnaBinding;
import dev.nexus.numa.internal.NumaBinding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link NumaBinding} for tests: it simulates libnuma's answers (present or not,
 * {@code numa_available}, {@code mbind} errno, the CPU the caller runs on) and records every
 * {@code mbind}, {@code munmap} and {@code sched_setaffinity} call. Memory is real: {@code mmap},
 * {@code munmap}, {@code madvise} and {@code strerror} go to the C library through
 * {@link JnaBinding} (no libnuma needed). {@code move_pages} answers from the recorded {@code mbind}
 * calls: a page bound to one node reports that node, any other page -ENOENT, unless a test sets
 * {@link #pageStatus}. The libnuma answers come from no file: with {@link #withLibnuma} a test gives
 * them, without it every libnuma method fails, as it must not be called.
 */
final class FakeNumaBinding implements NumaBinding {

    /** One recorded {@code mbind}. */
    record MbindCall(long address, long bytes, int mode, long[] nodemask, long maxnode) {
        int[] nodes() {
            return Bits.toArray(nodemask);
        }
    }

    /** One recorded {@code munmap}. */
    record MunmapCall(long address, long bytes) {
    }

    private static final NumaBinding REAL = JnaBinding.INSTANCE;

    private String libnumaProblem = "libnuma not found (simulated by FakeNumaBinding)";
    private int numaAvailable = -1;
    private int maxPossibleNode = 63;
    volatile int mbindErrno;
    volatile int currentCpu = 0;
    volatile int affinityErrno;
    volatile int[] pageStatus;
    private final Map<Integer, long[]> memory = new ConcurrentHashMap<>();
    final List<MbindCall> mbinds = Collections.synchronizedList(new ArrayList<>());
    final List<MunmapCall> munmaps = Collections.synchronizedList(new ArrayList<>());
    final List<Long> mmaps = Collections.synchronizedList(new ArrayList<>());
    final List<int[]> affinities = Collections.synchronizedList(new ArrayList<>());

    /** libnuma present and {@code numa_available() == 0}. */
    FakeNumaBinding withLibnuma() {
        libnumaProblem = null;
        numaAvailable = 0;
        return this;
    }

    /** libnuma present, but {@code numa_available() == -1}. */
    FakeNumaBinding withNumaUnavailable() {
        libnumaProblem = null;
        numaAvailable = -1;
        return this;
    }

    FakeNumaBinding withMbindErrno(int errno) {
        mbindErrno = errno;
        return this;
    }

    FakeNumaBinding withNodeMemory(int node, long total, long free) {
        memory.put(node, new long[] {total, free});
        return this;
    }

    @Override
    public String libnumaProblem() {
        return libnumaProblem;
    }

    private void requireLibnuma(String call) {
        if (libnumaProblem != null) {
            throw new AssertionError(call + " called although libnuma is missing");
        }
    }

    @Override
    public int numaAvailable() {
        requireLibnuma("numa_available");
        return numaAvailable;
    }

    @Override
    public int maxPossibleNode() {
        requireLibnuma("numa_max_possible_node");
        return maxPossibleNode;
    }

    @Override
    public long[] nodeMemory(int node) {
        requireLibnuma("numa_node_size64");
        long[] m = memory.get(node);
        return m == null ? null : m.clone();
    }

    @Override
    public int distance(int a, int b) {
        requireLibnuma("numa_distance");
        return 0; // "unknown": /sys answers
    }

    @Override
    public int[] nodeCpus(int node) {
        requireLibnuma("numa_node_to_cpus");
        return null; // /sys answers
    }

    @Override
    public int[] memsAllowed() {
        requireLibnuma("numa_get_mems_allowed");
        return null; // /proc/self/status answers
    }

    @Override
    public int nodeOfCpu(int cpu) {
        requireLibnuma("numa_node_of_cpu");
        return -1;
    }

    @Override
    public int currentCpu() {
        return currentCpu;
    }

    @Override
    public int[] affinity() {
        return null;
    }

    @Override
    public int setAffinity(int[] cpus) {
        affinities.add(cpus.clone());
        return affinityErrno;
    }

    @Override
    public long pageSize() {
        return REAL.pageSize();
    }

    @Override
    public long mmap(long bytes) {
        long address = REAL.mmap(bytes);
        mmaps.add(bytes);
        return address;
    }

    @Override
    public int munmap(long address, long bytes) {
        munmaps.add(new MunmapCall(address, bytes));
        return REAL.munmap(address, bytes);
    }

    @Override
    public int mbind(long address, long bytes, int mode, long[] nodemask, long maxnode) {
        requireLibnuma("mbind");
        mbinds.add(new MbindCall(address, bytes, mode, nodemask.clone(), maxnode));
        return mbindErrno;
    }

    @Override
    public int madvise(long address, long bytes, int advice) {
        return REAL.madvise(address, bytes, advice);
    }

    @Override
    public int movePages(long[] pages, int[] status) {
        requireLibnuma("numa_move_pages");
        for (int i = 0; i < pages.length; i++) {
            int[] set = pageStatus;
            status[i] = set != null ? set[i % set.length] : nodeOf(pages[i]);
        }
        return 0;
    }

    private int nodeOf(long page) {
        synchronized (mbinds) {
            for (MbindCall call : mbinds.reversed()) { // newest first: addresses are reused after munmap
                if (page >= call.address && page < call.address + call.bytes && call.nodes().length == 1) {
                    return call.nodes()[0];
                }
            }
        }
        return -ENOENT;
    }

    @Override
    public String strerror(int errno) {
        return REAL.strerror(errno);
    }

    /** The last {@code mbind} call. */
    MbindCall lastMbind() {
        synchronized (mbinds) {
            return mbinds.getLast();
        }
    }
}
