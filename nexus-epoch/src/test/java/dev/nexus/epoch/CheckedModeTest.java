package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Checked mode: segments bound through a guard cannot be read after the guard closed or suspended. */
class CheckedModeTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    /**
     * A view bound through a pooled guard reads the memory while the guard is open and throws
     * IllegalStateException after it closed, even once the segment was retired and freed.
     */
    @Test
    void pooledViewDiesWithItsGuard() {
        try (EpochDomain domain = EpochDomain.builder().checked(true).build()) {
            MemorySegment segment = MALLOC.allocate(16);
            segment.set(ValueLayout.JAVA_LONG, 0, 42);
            MemorySegment view;
            try (Guard guard = domain.pin()) {
                view = guard.bind(segment);
                assertThat(view.address()).isEqualTo(segment.address());
                assertThat(view.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(42);
            }
            domain.retire(segment, MALLOC);
            domain.barrier(); // freed: a read through the view would be a use-after-free
            assertThatThrownBy(() -> view.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    /** Participant guards and suspension end their views too; binding needs an open, pinned guard. */
    @Test
    void participantAndSuspendedViews() {
        try (EpochDomain domain = EpochDomain.builder().checked(true).build(); Participant p = domain.register()) {
            MemorySegment segment = MALLOC.allocate(8);
            Guard guard = p.pin();
            MemorySegment view = guard.bind(segment);
            view.set(ValueLayout.JAVA_LONG, 0, 7);
            guard.suspend();
            assertThatThrownBy(() -> view.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> guard.bind(segment)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("suspended");
            guard.resume();
            MemorySegment again = guard.bind(segment);
            assertThat(again.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(7);
            guard.close();
            assertThatThrownBy(() -> again.get(ValueLayout.JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> guard.bind(segment)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
            try (Guard other = domain.pin()) {
                assertThatThrownBy(() -> other.bind(MemorySegment.ofArray(new byte[4])))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            MALLOC.free(segment);
        }
    }

    /** Outside checked mode bind returns the segment itself. */
    @Test
    void uncheckedBindIsTheIdentity() {
        try (EpochDomain domain = EpochDomain.create(); Guard guard = domain.pin()) {
            MemorySegment segment = MALLOC.allocate(8);
            assertThat(guard.bind(segment)).isSameAs(segment);
            assertThatThrownBy(() -> guard.bind(null)).isInstanceOf(NullPointerException.class);
            MALLOC.free(segment);
        }
    }
}
