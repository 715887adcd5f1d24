package dev.nexus.epoch.internal;

/**
 * Turns a JVM's refusal of native access into one clear exception that names this module and the
 * flag to add, thrown on every attempt (not an {@link ExceptionInInitializerError} once and a bare
 * {@link NoClassDefFoundError} afterwards). Entry points call {@link #ensure()} before they touch
 * {@link Libc} or {@link SharedRegion}, whose static initializers call restricted methods.
 *
 * <p>Under the JDK's default ({@code --illegal-native-access=warn}) the JVM prints its warning once and
 * the check passes; only {@code --illegal-native-access=deny} without
 * {@code --enable-native-access=dev.nexus.epoch} (module path) or {@code ALL-UNNAMED} (class path)
 * makes it fail.
 */
public final class NativeAccess {

    private static final String MODULE = "dev.nexus.epoch";

    /** Set once the native classes initialized; read on every entry (a plain load on x86). */
    private static volatile boolean ready;
    /** Why they could not, kept to build the same exception on every later attempt. */
    private static Throwable denied; // guarded by the class lock

    private NativeAccess() {
    }

    /**
     * Returns once the module may call native code.
     *
     * @throws IllegalCallerException if the JVM denies this module native access; the message names
     *     the flag that grants it
     */
    public static void ensure() {
        if (!ready) {
            check();
        }
    }

    private static synchronized void check() {
        if (ready) {
            return;
        }
        if (denied == null) {
            try {
                SharedRegion.reservedBytes(); // initializes SharedRegion, and Libc through it
                ready = true; // volatile: later callers skip the lock
                return;
            } catch (IllegalCallerException | ExceptionInInitializerError | NoClassDefFoundError e) {
                if (!causedByNativeAccess(e)) {
                    throw e;
                }
                denied = e;
            }
        }
        throw deniedException(NativeAccess.class.getModule(), denied);
    }

    /** Whether {@code e} comes from a refused restricted method (or from a class it left broken). */
    private static boolean causedByNativeAccess(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalCallerException) {
                return true;
            }
        }
        // a class whose initializer failed earlier, outside ensure(): the module has no native access
        return e instanceof NoClassDefFoundError && !NativeAccess.class.getModule().isNativeAccessEnabled();
    }

    /**
     * The exception for a module that was denied native access.
     *
     * @param module the module that called the restricted method
     * @param cause what the JVM threw
     * @return an exception whose message names the module and the exact flag
     */
    static IllegalCallerException deniedException(Module module, Throwable cause) {
        String flag = module.isNamed() ? "--enable-native-access=" + module.getName()
                : "--enable-native-access=ALL-UNNAMED";
        return new IllegalCallerException("Nexus (" + MODULE + ") calls native code through FFM (malloc, free,"
                + " mmap, madvise) and this JVM denies it native access (--illegal-native-access=deny)."
                + " Start java with " + flag + (module.isNamed()
                        ? " (Nexus is on the module path; on the class path the flag is"
                                + " --enable-native-access=ALL-UNNAMED)"
                        : " (Nexus is on the class path; on the module path the flag is"
                                + " --enable-native-access=" + MODULE + ")"), cause);
    }
}
