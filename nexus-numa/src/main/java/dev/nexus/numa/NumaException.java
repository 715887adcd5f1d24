package dev.nexus.numa;

/**
 * A libnuma or system call failed in a way the caller cannot have caused and no fallback covers
 * ({@code munmap} refusing a mapping this module made, {@code move_pages} failing for a mapped
 * range, {@code mbind} failing after it was found to work). The message names the call, its
 * arguments, the errno and its meaning ({@code strerror}). Allocation failures for want of memory are
 * {@link OutOfMemoryError}s instead, as {@link dev.nexus.epoch.NativeAllocator} specifies.
 */
public final class NumaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The errno of the call. */
    private final int errno;

    /**
     * Creates an exception for a failed call.
     *
     * @param call the call and its arguments, e.g. {@code "mbind(0x7f.., 4096, MPOL_BIND, {0}, 65)"}
     * @param errno the errno it returned
     * @param meaning {@code strerror(errno)}
     */
    public NumaException(String call, int errno, String meaning) {
        super(message(call, errno, meaning));
        this.errno = errno;
    }

    /**
     * The errno of the failed call.
     *
     * @return e.g. 1 for {@code EPERM}
     */
    public int errno() {
        return errno;
    }

    static String message(String call, int errno, String meaning) {
        return call + " failed: errno=" + errno + " (" + meaning + ")";
    }
}
