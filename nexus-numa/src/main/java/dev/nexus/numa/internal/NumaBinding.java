package dev.nexus.numa.internal;

/**
 * The libnuma and system calls that {@code dev.nexus.numa} makes, behind one interface so that tests
 * can replace them (a fake binding simulates other machines: four nodes, no libnuma, {@code mbind}
 * refused). {@link JnaBinding} is the real one. Every method is thread-safe.
 *
 * <p>Conventions: calls that can fail return {@code 0} or an {@code errno} (never throw for an OS
 * refusal); address-returning calls return the address or {@code -errno}. The libnuma methods may
 * only be called when {@link #libnumaProblem()} is {@code null}.
 */
public interface NumaBinding {

    /** {@code MPOL_PREFERRED}. */
    int MPOL_PREFERRED = 1;
    /** {@code MPOL_BIND}. */
    int MPOL_BIND = 2;
    /** {@code MPOL_INTERLEAVE}. */
    int MPOL_INTERLEAVE = 3;

    /** {@code EPERM}. */
    int EPERM = 1;
    /** {@code ENOENT}: {@code move_pages} status of a page not yet touched. */
    int ENOENT = 2;
    /** {@code ENOMEM}. */
    int ENOMEM = 12;
    /** {@code EFAULT}: {@code move_pages} status of an address without a page. */
    int EFAULT = 14;
    /** {@code EINVAL}. */
    int EINVAL = 22;
    /** {@code ENOSYS}. */
    int ENOSYS = 38;

    /** {@code MADV_HUGEPAGE}. */
    int MADV_HUGEPAGE = 14;

    /**
     * Why libnuma cannot be used, or {@code null} when it is loaded.
     *
     * @return a sentence naming the library and the failure, or null
     */
    String libnumaProblem();

    /**
     * {@code numa_available()}: negative when the kernel has no NUMA support.
     *
     * @return 0 or -1
     */
    int numaAvailable();

    /**
     * {@code numa_max_possible_node()}: the highest node number the kernel's node masks can hold.
     *
     * @return a node number, {@code >= 0}
     */
    int maxPossibleNode();

    /**
     * {@code numa_node_size64(node, &free)}.
     *
     * @param node a node
     * @return {total, free} in bytes, or null if libnuma does not know the node
     */
    long[] nodeMemory(int node);

    /**
     * {@code numa_distance(a, b)}.
     *
     * @param a a node
     * @param b a node
     * @return the distance (10 for a node to itself), or 0 if unknown
     */
    int distance(int a, int b);

    /**
     * {@code numa_node_to_cpus(node, mask)}.
     *
     * @param node a node
     * @return the CPUs of the node in ascending order, or null if libnuma fails
     */
    int[] nodeCpus(int node);

    /**
     * {@code numa_get_mems_allowed()}: the nodes this process may allocate on (its cpuset).
     *
     * @return nodes in ascending order, or null if libnuma fails
     */
    int[] memsAllowed();

    /**
     * {@code numa_node_of_cpu(cpu)}.
     *
     * @param cpu a CPU
     * @return its node, or -1
     */
    int nodeOfCpu(int cpu);

    /**
     * {@code sched_getcpu()} (C library, no libnuma needed).
     *
     * @return the CPU the calling thread runs on now, or -1
     */
    int currentCpu();

    /**
     * {@code sched_getaffinity(0, ...)} (C library): the CPUs the calling thread may run on.
     *
     * @return CPUs in ascending order, or null on failure
     */
    int[] affinity();

    /**
     * {@code sched_setaffinity(0, ...)} (C library): restricts the calling thread to {@code cpus}.
     *
     * @param cpus CPUs, non-empty
     * @return 0 or an errno
     */
    int setAffinity(int[] cpus);

    /**
     * {@code sysconf(_SC_PAGESIZE)}.
     *
     * @return bytes per base page
     */
    long pageSize();

    /**
     * {@code mmap(NULL, bytes, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)}:
     * pages are not touched.
     *
     * @param bytes a multiple of the page size
     * @return the address, or {@code -errno}
     */
    long mmap(long bytes);

    /**
     * {@code munmap(address, bytes)}.
     *
     * @param address the address {@link #mmap} returned
     * @param bytes the length passed to {@code mmap}
     * @return 0 or an errno
     */
    int munmap(long address, long bytes);

    /**
     * {@code mbind(address, bytes, mode, nodemask, maxnode, 0)} (libnuma's export of the system
     * call).
     *
     * @param address page-aligned start
     * @param bytes length
     * @param mode {@link #MPOL_BIND}, {@link #MPOL_PREFERRED} or {@link #MPOL_INTERLEAVE}
     * @param nodemask bit {@code n} of word {@code n / 64} set for node {@code n}
     * @param maxnode the {@code maxnode} argument (bits of the mask plus one, as libnuma passes it)
     * @return 0 or an errno
     */
    int mbind(long address, long bytes, int mode, long[] nodemask, long maxnode);

    /**
     * {@code madvise(address, bytes, advice)} (C library).
     *
     * @param address page-aligned start
     * @param bytes length
     * @param advice e.g. {@link #MADV_HUGEPAGE}
     * @return 0 or an errno
     */
    int madvise(long address, long bytes, int advice);

    /**
     * {@code numa_move_pages(0, count, pages, NULL, status, 0)}: a query, moves nothing. Each status
     * is the node of the page or {@code -errno} ({@code -ENOENT}: not touched yet).
     *
     * @param pages page addresses
     * @param status receives one status per page
     * @return 0 or an errno
     */
    int movePages(long[] pages, int[] status);

    /**
     * {@code strerror(errno)}.
     *
     * @param errno an errno
     * @return its meaning, e.g. {@code "Operation not permitted"}
     */
    String strerror(int errno);
}
