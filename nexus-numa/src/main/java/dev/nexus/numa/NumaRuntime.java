package dev.nexus.numa;

import dev.nexus.numa.internal.Bits;
import dev.nexus.numa.internal.JnaBinding;
import dev.nexus.numa.internal.NumaBinding;
import java.nio.file.Path;

/**
 * What the allocators, placement checks and thread binding of one process share: the binding, a
 * topology snapshot taken once (for validating node numbers), and whether {@code mbind} works here,
 * found by binding one page once. Tests build their own over a fake binding and a fixture root.
 */
final class NumaRuntime {

    private final NumaBinding binding;
    private final NumaTopology topology;
    private final String placementProblem;
    private final int maskWords;

    NumaRuntime(NumaBinding binding, Path root) {
        this.binding = binding;
        this.topology = NumaTopology.read(binding, root);
        this.maskWords = topology.canBind() ? binding.maxPossibleNode() / 64 + 1 : 1;
        this.placementProblem = probe();
    }

    /** The runtime of this process: the JNA binding and {@code /}. */
    static NumaRuntime system() {
        return Holder.INSTANCE;
    }

    /** Lazy holder: libnuma is loaded and probed on first use. */
    private static final class Holder {
        static final NumaRuntime INSTANCE = new NumaRuntime(JnaBinding.INSTANCE, Path.of("/"));
    }

    NumaBinding binding() {
        return binding;
    }

    NumaTopology topology() {
        return topology;
    }

    /** Why memory cannot be node-placed here, or null when {@code mbind} works. */
    String placementProblem() {
        return placementProblem;
    }

    /** The nodemask of {@code nodes}, as long as the kernel's node masks are. */
    long[] nodemask(int... nodes) {
        long[] mask = Bits.toMask(nodes, 1);
        long[] full = new long[Math.max(maskWords, mask.length)];
        System.arraycopy(mask, 0, full, 0, mask.length);
        return full;
    }

    /** The {@code maxnode} argument for a mask: its bits plus one, as libnuma passes it. */
    static long maxnode(long[] mask) {
        return mask.length * 64L + 1;
    }

    String describe(int errno) {
        return errnoName(errno) + " (" + binding.strerror(errno) + ")";
    }

    static String errnoName(int errno) {
        return switch (errno) {
            case NumaBinding.EPERM -> "EPERM";
            case NumaBinding.ENOENT -> "ENOENT";
            case NumaBinding.ENOMEM -> "ENOMEM";
            case NumaBinding.EFAULT -> "EFAULT";
            case NumaBinding.EINVAL -> "EINVAL";
            case NumaBinding.ENOSYS -> "ENOSYS";
            default -> "errno " + errno;
        };
    }

    private String probe() {
        if (!topology.hasLibnuma() || !topology.canBind()) {
            return topology.whyNot().orElseThrow();
        }
        long page = binding.pageSize();
        long address = binding.mmap(page);
        if (address < 0) {
            return "mmap of one page failed: " + describe((int) -address);
        }
        int node = topology.allowedNodes().getFirst();
        long[] mask = nodemask(node);
        int errno = binding.mbind(address, page, NumaBinding.MPOL_BIND, mask, maxnode(mask));
        int unmapped = binding.munmap(address, page);
        if (unmapped != 0) {
            throw new NumaException("munmap(0x" + Long.toHexString(address) + ", " + page + ")", unmapped,
                    binding.strerror(unmapped));
        }
        if (errno != 0) {
            return "mbind refused: " + describe(errno) + (errno == NumaBinding.EPERM
                    ? "; containers often forbid it (seccomp without CAP_SYS_NICE)" : "");
        }
        return null;
    }
}
