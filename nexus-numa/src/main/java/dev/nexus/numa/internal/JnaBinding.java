package dev.nexus.numa.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Arrays;
import java.util.List;

/**
 * The real {@link NumaBinding}: libnuma ({@code libnuma.so.1}) and the C library through JNA
 * {@link Library} interfaces, so that the native methods JNA links live in JNA's own module. Errno
 * comes from {@link Native#getLastError()}, which JNA saves right after each call on the calling
 * thread. Addresses travel as {@code long}: a 64-bit JVM is required (on another one, libnuma counts as
 * missing and the C library calls fail with {@code ENOSYS}).
 *
 * <p>libnuma is loaded once, when this class is first used; if it cannot be loaded (not installed:
 * the package is {@code libnuma1} on Debian and Ubuntu, {@code numactl-libs} on Fedora and RHEL),
 * {@link #libnumaProblem()} says why and no libnuma method is called.
 */
public final class JnaBinding implements NumaBinding {

    /** The C library functions used. */
    interface CLib extends Library {
        long mmap(long address, long length, int prot, int flags, int fd, long offset);

        int munmap(long address, long length);

        int madvise(long address, long length, int advice);

        int sched_getcpu();

        int sched_getaffinity(int pid, long bytes, long[] mask);

        int sched_setaffinity(int pid, long bytes, long[] mask);

        long sysconf(int name);

        String strerror(int errno);
    }

    /** The libnuma functions used (libnuma 2.0 API). */
    interface NumaLib extends Library {
        int numa_available();

        int numa_max_possible_node();

        long numa_node_size64(int node, long[] free);

        int numa_distance(int a, int b);

        Pointer numa_allocate_cpumask();

        int numa_node_to_cpus(int node, Pointer mask);

        int numa_bitmask_isbitset(Pointer mask, int bit);

        void numa_bitmask_free(Pointer mask);

        Pointer numa_get_mems_allowed();

        int numa_node_of_cpu(int cpu);

        int numa_num_possible_cpus();

        long mbind(long address, long length, int mode, long[] nodemask, long maxnode, int flags);

        int numa_move_pages(int pid, long count, long[] pages, Pointer nodes, int[] status, int flags);
    }

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    private static final int SC_PAGESIZE = 30;
    private static final int MAX_AFFINITY_WORDS = 1 << 12; // 262,144 CPUs

    /** The names JNA tries for libnuma, in order: the development link, then the runtime soname. */
    static final List<String> LIBNUMA_NAMES = List.of("numa", "libnuma.so.1");

    /** The one instance. */
    public static final JnaBinding INSTANCE = new JnaBinding(LIBNUMA_NAMES);

    private final CLib c;
    private final NumaLib numa;
    private final String problem;
    private final long pageSize;

    private JnaBinding(List<String> libnumaNames) {
        CLib clib = null;
        NumaLib lib = null;
        String why = null;
        try {
            if (Native.POINTER_SIZE != 8) {
                why = "nexus-numa needs a 64-bit JVM: pointer size is " + Native.POINTER_SIZE + " bytes";
            } else {
                clib = Native.load(Platform.C_LIBRARY_NAME, CLib.class);
                lib = loadLibnuma(libnumaNames);
                if (lib == null) {
                    why = "libnuma not found (JNA tried " + libnumaNames + "): install the libnuma1 package"
                            + " (Debian/Ubuntu) or numactl-libs (Fedora/RHEL)";
                }
            }
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            why = "JNA cannot reach the C library on this platform: " + e;
        }
        this.c = clib;
        this.numa = lib;
        this.problem = why;
        long size = clib == null ? -1 : clib.sysconf(SC_PAGESIZE);
        this.pageSize = size > 0 && Long.bitCount(size) == 1 ? size : 4096;
    }

    /**
     * A binding that looks for libnuma under other names only: with a name that does not exist, the
     * real "libnuma missing" path (tests).
     *
     * @param libnumaNames library names for JNA, tried in order
     * @return a new binding
     */
    public static JnaBinding withLibnumaNames(List<String> libnumaNames) {
        return new JnaBinding(List.copyOf(libnumaNames));
    }

    private static NumaLib loadLibnuma(List<String> names) {
        for (String name : names) {
            try {
                return Native.load(name, NumaLib.class);
            } catch (UnsatisfiedLinkError e) {
                // try the next name; the problem sentence lists both
            }
        }
        return null;
    }

    @Override
    public String libnumaProblem() {
        return problem;
    }

    @Override
    public int numaAvailable() {
        return numa.numa_available();
    }

    @Override
    public int maxPossibleNode() {
        return Math.max(0, numa.numa_max_possible_node());
    }

    @Override
    public long[] nodeMemory(int node) {
        long[] free = new long[1];
        long total = numa.numa_node_size64(node, free);
        return total < 0 ? null : new long[] {total, free[0]};
    }

    @Override
    public int distance(int a, int b) {
        return Math.max(0, numa.numa_distance(a, b));
    }

    @Override
    public int[] nodeCpus(int node) {
        Pointer mask = numa.numa_allocate_cpumask();
        if (mask == null) {
            return null;
        }
        try {
            if (numa.numa_node_to_cpus(node, mask) != 0) {
                return null;
            }
            return bits(mask, numa.numa_num_possible_cpus());
        } finally {
            numa.numa_bitmask_free(mask);
        }
    }

    @Override
    public int[] memsAllowed() {
        Pointer mask = numa.numa_get_mems_allowed();
        if (mask == null) {
            return null;
        }
        try {
            return bits(mask, maxPossibleNode() + 1);
        } finally {
            numa.numa_bitmask_free(mask);
        }
    }

    private int[] bits(Pointer mask, int limit) {
        int[] set = new int[Math.max(0, limit)];
        int n = 0;
        for (int bit = 0; bit < limit; bit++) {
            if (numa.numa_bitmask_isbitset(mask, bit) != 0) {
                set[n++] = bit;
            }
        }
        return Arrays.copyOf(set, n);
    }

    @Override
    public int nodeOfCpu(int cpu) {
        return numa.numa_node_of_cpu(cpu);
    }

    @Override
    public int currentCpu() {
        return c == null ? -1 : c.sched_getcpu();
    }

    @Override
    public int[] affinity() {
        if (c == null) {
            return null;
        }
        for (int words = 16; words <= MAX_AFFINITY_WORDS; words *= 2) {
            long[] mask = new long[words];
            if (c.sched_getaffinity(0, words * 8L, mask) >= 0) {
                return Bits.toArray(mask);
            }
            if (Native.getLastError() != EINVAL) {
                return null;
            }
        }
        return null;
    }

    @Override
    public int setAffinity(int[] cpus) {
        if (c == null) {
            return ENOSYS;
        }
        long[] mask = Bits.toMask(cpus, 1024);
        return c.sched_setaffinity(0, mask.length * 8L, mask) == 0 ? 0 : Native.getLastError();
    }

    @Override
    public long pageSize() {
        return pageSize;
    }

    @Override
    public long mmap(long bytes) {
        if (c == null) {
            return -ENOSYS;
        }
        long address = c.mmap(0, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0);
        return address == -1 ? -Native.getLastError() : address;
    }

    @Override
    public int munmap(long address, long bytes) {
        if (c == null) {
            return ENOSYS;
        }
        return c.munmap(address, bytes) == 0 ? 0 : Native.getLastError();
    }

    @Override
    public int mbind(long address, long bytes, int mode, long[] nodemask, long maxnode) {
        return numa.mbind(address, bytes, mode, nodemask, maxnode, 0) == 0 ? 0 : Native.getLastError();
    }

    @Override
    public int madvise(long address, long bytes, int advice) {
        if (c == null) {
            return ENOSYS;
        }
        return c.madvise(address, bytes, advice) == 0 ? 0 : Native.getLastError();
    }

    @Override
    public int movePages(long[] pages, int[] status) {
        int rc = numa.numa_move_pages(0, pages.length, pages, null, status, 0);
        return rc == 0 ? 0 : Native.getLastError();
    }

    @Override
    public String strerror(int errno) {
        String text = c == null ? null : c.strerror(errno);
        return text == null ? "errno " + errno : text;
    }
}
