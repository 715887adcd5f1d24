package dev.nexus.slab.internal;

import java.lang.invoke.MethodHandles;

/**
 * Turns a JVM's refusal of native access to this module into one clear exception that names the
 * module and the flag to add, on every attempt. {@link OsMemory}'s static initializer looks up
 * downcalls (restricted methods); {@code SlabBuilder.build()} calls {@link #ensure()} first, so the
 * requirement shows when a slab is built rather than at its first report.
 *
 * <p>Under the JDK's default ({@code --illegal-native-access=warn}) the JVM prints its warning and the
 * check passes; {@code --illegal-native-access=deny} without {@code --enable-native-access=dev.nexus.slab}
 * (module path) or {@code ALL-UNNAMED} (class path) makes it fail.
 */
public final class NativeAccess {

    private static final String MODULE = "dev.nexus.slab";

    /** Set once OsMemory initialized; read on every build. */
    private static volatile boolean ready;
    /** Why it could not, kept to build the same exception on every later attempt. */
    private static Throwable denied; // guarded by the class lock

    private NativeAccess() {
    }

    /**
     * Returns once this module may call native code.
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
                MethodHandles.lookup().ensureInitialized(OsMemory.class);
                ready = true; // volatile: later callers skip the lock
                return;
            } catch (IllegalAccessException e) {
                throw new AssertionError("OsMemory is in this package", e);
            } catch (IllegalCallerException | ExceptionInInitializerError | NoClassDefFoundError e) {
                if (!causedByNativeAccess(e)) {
                    throw e;
                }
                denied = e;
            }
        }
        throw deniedException(NativeAccess.class.getModule(), denied);
    }

    private static boolean causedByNativeAccess(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalCallerException) {
                return true;
            }
        }
        return e instanceof NoClassDefFoundError && !NativeAccess.class.getModule().isNativeAccessEnabled();
    }

    private static IllegalCallerException deniedException(Module module, Throwable cause) {
        String how = module.isNamed()
                ? "--enable-native-access=" + module.getName() + " (Nexus is on the module path; grant every"
                        + " Nexus module that calls native code at once, e.g."
                        + " --enable-native-access=dev.nexus.epoch," + module.getName() + ")"
                : "--enable-native-access=ALL-UNNAMED (Nexus is on the class path; on the module path the flag"
                        + " is --enable-native-access=" + MODULE + ")";
        return new IllegalCallerException("Nexus slab (" + MODULE + ") calls native code through FFM (madvise,"
                + " mlock, munlock, getrlimit, sysconf) and this JVM denies it native access"
                + " (--illegal-native-access=deny). Start java with " + how, cause);
    }
}
