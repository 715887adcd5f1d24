package dev.nexus.epoch.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into the C library through FFM: {@code malloc}, {@code posix_memalign}, {@code free},
 * {@code mmap} and {@code madvise}. Failures report the call, its arguments and {@code errno}.
 *
 * <p>These are restricted methods: the JVM warns once unless native access is enabled for this
 * module ({@code --enable-native-access=dev.nexus.epoch}, or {@code ALL-UNNAMED} on the class path).
 */
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle MALLOC = downcall("malloc",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), false);
    private static final MethodHandle POSIX_MEMALIGN = downcall("posix_memalign",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG), false);
    private static final MethodHandle FREE = downcall("free",
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS), false);
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG), true);
    private static final MethodHandle MADVISE = downcall("madvise",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT), true);

    /** {@code PROT_READ | PROT_WRITE}. */
    public static final int PROT_READ_WRITE = 0x1 | 0x2;
    /** {@code MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE} (Linux values). */
    public static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    /** {@code MADV_DONTNEED}: drop the pages; the next touch sees zeros. */
    public static final int MADV_DONTNEED = 4;

    /** Alignment that plain {@code malloc} guarantees on 64-bit glibc and musl. */
    public static final long MALLOC_ALIGNMENT = 16;

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean errno) {
        MemorySegment symbol = LINKER.defaultLookup().find(name).orElse(null);
        if (symbol == null) {
            return null;
        }
        return errno
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(false));
    }

    /** Whether {@code mmap} and {@code madvise} exist in this C library. */
    public static boolean hasMmap() {
        return MMAP != null && MADVISE != null;
    }

    /**
     * {@code malloc(bytes)} or {@code posix_memalign} when {@code alignment > 16}; returns the raw
     * address, never 0.
     *
     * @throws OutOfMemoryError when the C library returns no memory
     */
    public static long allocate(long bytes, long alignment) {
        long size = Math.max(bytes, 1);
        try {
            if (alignment <= MALLOC_ALIGNMENT) {
                long address = ((MemorySegment) MALLOC.invokeExact(size)).address();
                if (address == 0) {
                    throw new OutOfMemoryError("malloc(" + size + ") returned NULL");
                }
                return address;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
                int rc = (int) POSIX_MEMALIGN.invokeExact(out, alignment, size);
                if (rc != 0) {
                    throw new OutOfMemoryError("posix_memalign(alignment=" + alignment + ", size="
                            + size + ") failed: error " + rc);
                }
                return out.get(ValueLayout.ADDRESS, 0).address();
            }
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("malloc downcall failed", t);
        }
    }

    /** {@code free(address)}. */
    public static void free(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("free downcall failed", t);
        }
    }

    /**
     * Reserves {@code bytes} of anonymous, lazily committed memory; returns 0 when the kernel refuses
     * (the caller tries a smaller size).
     */
    public static long mmapReserve(long bytes) {
        if (MMAP == null) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment result = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, bytes,
                    PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
            long address = result.address();
            return address == -1L ? 0 : address;
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall failed", t);
        }
    }

    /**
     * {@code madvise(address, bytes, MADV_DONTNEED)}: gives the pages back to the kernel.
     *
     * @throws IllegalStateException naming the call, its arguments and errno when it fails
     */
    public static void dontNeed(long address, long bytes) {
        if (MADVISE == null) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) MADVISE.invokeExact(state, MemorySegment.ofAddress(address), bytes,
                    MADV_DONTNEED);
            if (rc != 0) {
                throw new IllegalStateException("madvise(0x" + Long.toHexString(address) + ", " + bytes
                        + ", MADV_DONTNEED) failed: errno=" + (int) ERRNO.get(state, 0L));
            }
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("madvise downcall failed", t);
        }
    }
}
