package dev.nexus.epoch.probe;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.epoch.NativeAllocator;

/**
 * Run in a forked JVM by {@code NativeAccessTest}: creates a domain twice and asks for the malloc
 * allocators, printing one line per attempt: {@code ok} or the exception's class and message. In its
 * own package, so that it stays on the class path when {@code dev.nexus.epoch} is on the module path.
 */
public final class NativeAccessProbe {

    private NativeAccessProbe() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        attempt(() -> EpochDomain.create().close());
        attempt(() -> EpochDomain.create().close());
        attempt(() -> NativeAllocator.malloc().free(NativeAllocator.malloc().allocate(8)));
        attempt(() -> NativeAllocator.mallocUnchecked().free(NativeAllocator.mallocUnchecked().allocate(8)));
    }

    private static void attempt(Runnable action) {
        try {
            action.run();
            System.out.println("ok");
        } catch (Throwable t) {
            System.out.println(t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
