package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Participant guards are reused (two objects per nesting level, in turn), so pinning allocates no
 * guard, and the misuse checks still hold: closing twice (also after the next pin at the same
 * level), out of order, and from another thread.
 */
class ParticipantGuardReuseTest {

    private static final int PINS = 1_000;

    /**
     * Pins at depths 1 to 4 hand out the same two guard objects per level, in turn, once each
     * level was reached twice (on both read sides): no guard is allocated per pin. (That the whole
     * pin allocates nothing is measured by {@code PinBenchmark} with {@code -prof gc}.)
     */
    @Test
    void pinsReuseTwoGuardsPerLevel() {
        for (ReadSide readSide : TortureTest.readSides()) {
            try (EpochDomain domain = EpochDomain.builder().readSide(readSide).build();
                    Participant p = domain.register()) {
                Set<Guard> seen = Collections.newSetFromMap(new IdentityHashMap<>());
                for (int i = 0; i < PINS; i++) {
                    try (Guard a = p.pin(); Guard b = p.pin(); Guard c = p.pin(); Guard d = p.pin()) {
                        assertThat(d.isPinned()).isTrue();
                        seen.addAll(List.of(a, b, c, d));
                    }
                }
                assertThat(seen).as("distinct guard objects over %d nested pins (%s)", 4 * PINS, readSide)
                        .hasSize(8);
            }
        }
    }

    /** Checked mode keeps a guard per pin (its views end with it). */
    @Test
    void checkedModeAllocatesAGuardPerPin() {
        try (EpochDomain domain = EpochDomain.builder().checked(true).build(); Participant p = domain.register()) {
            Set<Guard> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (int i = 0; i < 10; i++) {
                try (Guard g = p.pin()) {
                    seen.add(g);
                }
            }
            assertThat(seen).hasSize(10);
        }
    }

    /** A guard closed, then closed again after the next pin at its level, is reported closed. */
    @Test
    void staleCloseAfterTheNextPinIsReported() {
        try (EpochDomain domain = EpochDomain.create(); Participant p = domain.register()) {
            Guard first = p.pin();
            first.close();
            Guard second = p.pin();
            assertThat(second).isNotSameAs(first);
            assertThatThrownBy(first::close).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already closed");
            assertThat(second.isPinned()).isTrue(); // the stale close did not touch the live pin
            assertThat(first.isPinned()).isFalse();
            second.close();
            domain.synchronize(); // nothing is left pinned
        }
    }

    /** Out-of-order and cross-thread closes of reused guards still fail and change nothing. */
    @Test
    void orderAndOwnerChecksHoldForReusedGuards() throws Exception {
        try (EpochDomain domain = EpochDomain.create(); Participant p = domain.register()) {
            for (int round = 0; round < 3; round++) { // the second and third rounds reuse the guards
                Guard outer = p.pin();
                Guard inner = p.pin();
                assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("reverse order");
                Throwable[] elsewhere = new Throwable[1];
                Thread other = Thread.ofPlatform().start(() -> {
                    try {
                        inner.close();
                    } catch (Throwable t) {
                        elsewhere[0] = t;
                    }
                });
                other.join();
                assertThat(elsewhere[0]).isInstanceOf(IllegalStateException.class);
                assertThat(inner.isPinned()).isTrue();
                inner.close();
                outer.close();
            }
            domain.synchronize();
        }
    }
}
