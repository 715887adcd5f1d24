package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.numa.internal.JnaBinding;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real JNA binding when libnuma cannot be loaded (asked for under a name that does not exist): the
 * problem sentence names what was tried and the package, the C library calls still work, and the
 * allocators fall back instead of failing.
 */
class MissingLibnumaTest {

    /** JNA's load failure becomes a reason; mmap through the C library still works; allocators fall back. */
    @Test
    void realBindingWithoutLibnuma() {
        JnaBinding binding = JnaBinding.withLibnumaNames(List.of("nexus-test-no-such-numa"));
        assertThat(binding.libnumaProblem()).contains("libnuma not found").contains("nexus-test-no-such-numa")
                .contains("libnuma1");
        assertThat(binding.strerror(1)).isEqualTo("Operation not permitted");
        NumaRuntime runtime = new NumaRuntime(binding, Path.of("/"));
        assertThat(runtime.topology().hasLibnuma()).isFalse();
        assertThat(runtime.topology().nodes()).isNotEmpty();
        NumaAllocator allocator = NumaAllocator.onNode(runtime, runtime.topology().allowedNodes().getFirst());
        assertThat(allocator.isNodePlaced()).isFalse();
        assertThat(allocator.placementPolicy()).contains("libnuma not found");
        MemorySegment s = allocator.allocate(1 << 20, 4096);
        s.set(ValueLayout.JAVA_LONG, (1 << 20) - 8, 42);
        assertThat(Placement.check(runtime, s, 0).status()).isEqualTo(PlacementCheck.Status.SKIPPED);
        assertThatThrownBy(() -> Placement.of(runtime, s)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("libnuma not found");
        allocator.free(s);
        assertThat(allocator.mappedBytes()).isZero();
    }
}
