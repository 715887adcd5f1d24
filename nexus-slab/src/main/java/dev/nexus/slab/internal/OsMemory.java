package dev.nexus.slab.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the operating system grants a slab: {@code madvise(MADV_HUGEPAGE)}, {@code mlock},
 * {@code munlock} and {@code getrlimit(RLIMIT_MEMLOCK)} through FFM downcalls, and the
 * {@code AnonHugePages} of {@code /proc/self/smaps}. Nothing here throws for an OS refusal: calls
 * return {@code errno} (0 on success) so that the slab can report it; a missing symbol (not Linux)
 * reads as {@link #UNAVAILABLE}.
 *
 * <p>Restricted methods: the JVM warns once unless native access is enabled for this module
 * ({@code --enable-native-access=dev.nexus.slab}, or {@code ALL-UNNAMED} on the class path).
 */
public final class OsMemory {

    /** Returned instead of an errno when the C library lacks the call. */
    public static final int UNAVAILABLE = -1;
    /** {@code MADV_HUGEPAGE} (Linux). */
    public static final int MADV_HUGEPAGE = 14;
    /** {@code RLIMIT_MEMLOCK} (Linux). */
    public static final int RLIMIT_MEMLOCK = 8;
    /** {@code _SC_PAGESIZE} (Linux). */
    public static final int SC_PAGESIZE = 30;
    /** The PMD huge page size assumed when sysfs does not say: 2 MiB. */
    public static final long DEFAULT_HUGE_PAGE = 2L << 20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle MLOCK = downcall("mlock",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNLOCK = downcall("munlock",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle GETRLIMIT = downcall("getrlimit",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SYSCONF = downcall("sysconf",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private OsMemory() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.defaultLookup().find(name)
                .map(symbol -> LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno")))
                .orElse(null);
    }

    /**
     * {@code madvise(address, bytes, MADV_HUGEPAGE)}.
     *
     * @param address a page-aligned address
     * @param bytes length of the range
     * @return 0, an errno, or {@link #UNAVAILABLE}
     */
    public static int adviseHugePages(long address, long bytes) {
        return MADVISE == null ? UNAVAILABLE : call(MADVISE, address, bytes, MADV_HUGEPAGE);
    }

    /**
     * {@code mlock(address, bytes)}: locks the range in RAM (faulting it in).
     *
     * @param address start of the range
     * @param bytes length of the range
     * @return 0, an errno, or {@link #UNAVAILABLE}
     */
    public static int lock(long address, long bytes) {
        return MLOCK == null ? UNAVAILABLE : call(MLOCK, address, bytes, -1);
    }

    /**
     * {@code munlock(address, bytes)}.
     *
     * @param address start of the range
     * @param bytes length of the range
     * @return 0, an errno, or {@link #UNAVAILABLE}
     */
    public static int unlock(long address, long bytes) {
        return MUNLOCK == null ? UNAVAILABLE : call(MUNLOCK, address, bytes, -1);
    }

    private static int call(MethodHandle handle, long address, long bytes, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment start = MemorySegment.ofAddress(address);
            int rc = advice >= 0
                    ? (int) handle.invokeExact(state, start, bytes, advice)
                    : (int) handle.invokeExact(state, start, bytes);
            return rc == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /**
     * {@code getrlimit(RLIMIT_MEMLOCK)} as text for messages: {@code "soft=65536 hard=65536 bytes"},
     * {@code "unlimited"} parts, or {@code "unknown"}.
     *
     * @return the limit, for a human
     */
    public static String memlockLimit() {
        if (GETRLIMIT == null) {
            return "unknown";
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment limit = arena.allocate(ValueLayout.JAVA_LONG, 2); // struct rlimit {cur, max}
            int rc = (int) GETRLIMIT.invokeExact(state, RLIMIT_MEMLOCK, limit);
            if (rc != 0) {
                return "unknown (getrlimit errno=" + (int) ERRNO.get(state, 0L) + ")";
            }
            return "soft=" + limitText(limit.getAtIndex(ValueLayout.JAVA_LONG, 0))
                    + " hard=" + limitText(limit.getAtIndex(ValueLayout.JAVA_LONG, 1));
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("getrlimit downcall failed", t);
        }
    }

    private static String limitText(long value) {
        return value == -1 ? "unlimited" : value + " bytes";
    }

    /**
     * The base page size ({@code sysconf(_SC_PAGESIZE)}), 4096 if unknown.
     *
     * @return bytes per page
     */
    public static long pageSize() {
        if (SYSCONF != null) {
            try (Arena arena = Arena.ofConfined()) {
                long size = (long) SYSCONF.invokeExact(arena.allocate(CALL_STATE), SC_PAGESIZE);
                if (size > 0 && Long.bitCount(size) == 1) {
                    return size;
                }
            } catch (Error | RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("sysconf downcall failed", t);
            }
        }
        return 4096;
    }

    /**
     * The transparent huge page size ({@code /sys/kernel/mm/transparent_hugepage/hpage_pmd_size}),
     * {@link #DEFAULT_HUGE_PAGE} if unreadable.
     *
     * @return bytes per huge page
     */
    public static long hugePageSize() {
        try {
            long size = Long.parseLong(Files.readString(
                    Path.of("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")).strip());
            return size > 0 && Long.bitCount(size) == 1 ? size : DEFAULT_HUGE_PAGE;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_HUGE_PAGE;
        }
    }

    /**
     * The transparent huge page mode, the bracketed word of
     * {@code /sys/kernel/mm/transparent_hugepage/enabled} ({@code always}, {@code madvise},
     * {@code never}), or {@code "unavailable"}.
     *
     * @return the mode
     */
    public static String transparentHugePageMode() {
        try {
            String enabled = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            int open = enabled.indexOf('[');
            int close = enabled.indexOf(']', open + 1);
            return open >= 0 && close > open ? enabled.substring(open + 1, close) : enabled.strip();
        } catch (IOException | RuntimeException e) {
            return "unavailable";
        }
    }

    /**
     * The {@code AnonHugePages} bytes of the mappings in {@code /proc/self/smaps} that overlap any of
     * the ranges: what the kernel actually backs with huge pages. A mapping can be larger than a
     * slab (the C library may place neighbours in it), so this is an upper bound for the slabs.
     *
     * @param starts range start addresses
     * @param ends range end addresses (exclusive), same length as {@code starts}
     * @return bytes, or -1 if smaps cannot be read
     */
    public static long anonHugePageBytes(long[] starts, long[] ends) {
        try (BufferedReader smaps = Files.newBufferedReader(Path.of("/proc/self/smaps"))) {
            long total = 0;
            boolean overlapping = false;
            for (String line; (line = smaps.readLine()) != null; ) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && isHex(line, 0, dash)) {
                    long from = Long.parseUnsignedLong(line, 0, dash, 16);
                    long to = Long.parseUnsignedLong(line, dash + 1, space, 16);
                    overlapping = overlaps(from, to, starts, ends);
                } else if (overlapping && line.startsWith("AnonHugePages:")) {
                    String kb = line.substring("AnonHugePages:".length()).replace("kB", "").strip();
                    total += Long.parseLong(kb) * 1024;
                }
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean overlaps(long from, long to, long[] starts, long[] ends) {
        for (int i = 0; i < starts.length; i++) {
            if (Long.compareUnsigned(starts[i], to) < 0 && Long.compareUnsigned(from, ends[i]) < 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * A symbolic name for the errno values these calls return.
     *
     * @param errno an errno
     * @return e.g. {@code "ENOMEM"}, or {@code "errno"} when not one of the expected values
     */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 22 -> "EINVAL";
            case 38 -> "ENOSYS";
            case UNAVAILABLE -> "unavailable in this C library";
            default -> "errno";
        };
    }
}
