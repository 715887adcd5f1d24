package dev.nexus.slab.probe;

import dev.nexus.epoch.EpochDomain;
import dev.nexus.slab.Slab;

/**
 * Run in a forked JVM by {@code SlabNativeAccessTest}: opens a domain, then builds a slab twice,
 * printing one line per step: {@code ok} or the exception's class and message. In its own package,
 * so that it stays on the class path when the Nexus modules are on the module path.
 */
public final class SlabNativeAccessProbe {

    private SlabNativeAccessProbe() {
    }

    /**
     * Entry point.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (EpochDomain domain = EpochDomain.create()) {
            System.out.println("domain ok");
            for (int i = 0; i < 2; i++) {
                try (Slab slab = Slab.builder(domain).slotSize(16).build()) {
                    slab.insert(slot -> { });
                    System.out.println("ok");
                } catch (Throwable t) {
                    System.out.println(t.getClass().getName() + ": " + t.getMessage());
                }
            }
        }
    }
}
