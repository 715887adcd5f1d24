package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.SharedRegion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The backstop for pooled guards never closed: unreachable ones are released, reachable ones never. */
class GuardBackstopTest {

    private static final NativeAllocator MALLOC = NativeAllocator.malloc();

    /**
     * A pooled guard dropped without close() by a thread that then ended is released once a GC has
     * cleared it: garbage retired after it is freed, and the release is reported with the thread.
     */
    @Test
    void unreachableGuardIsReleasedAfterGc() throws Exception {
        List<StalledGuard> released = new CopyOnWriteArrayList<>();
        EpochDomain domain = EpochDomain.builder().name("backstop").stallListener(new StallListener() {
            @Override
            public void onStall(StalledGuard stall) {
            }

            @Override
            public void onGuardReleased(StalledGuard guard) {
                released.add(guard);
            }
        }).build();
        Thread dropper = Thread.ofPlatform().name("dropper").start(() -> domain.pin().isPinned());
        dropper.join();
        domain.retire(MALLOC.allocate(64), MALLOC);
        PinExceptionSafetyTest.assertSynchronizes(domain, 0);
        domain.barrier();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        assertThat(released).singleElement().satisfies(g -> assertThat(g.threadName()).isEqualTo("dropper"));
        domain.close();
    }

    /**
     * A pooled guard whose opening thread died but which is still reachable (handed over) is never
     * released, however many GCs run: grace periods wait for it until it is closed.
     */
    @Test
    void reachableGuardOfDeadThreadIsNotReleased() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("backstop-live").build();
        AtomicReference<Guard> handedOver = new AtomicReference<>();
        Thread opener = Thread.ofPlatform().start(() -> handedOver.set(domain.pin()));
        opener.join();
        assertThat(opener.isAlive()).isFalse();
        domain.retire(MALLOC.allocate(64), MALLOC);
        Thread waiter = Thread.ofPlatform().daemon().start(domain::synchronize);
        for (int i = 0; i < 10; i++) {
            System.gc();
            assertThat(waiter.join(Duration.ofMillis(30))).as("synchronize() returned early").isFalse();
        }
        assertThat(domain.stats().reclaimedCount()).isZero();
        handedOver.get().close();
        assertThat(waiter.join(TestThreads.SHORT)).isTrue();
        domain.barrier();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
        domain.close();
    }

    /**
     * A guard closed normally after the backstop made its record weak is never released later: once
     * it is collected, a pin of its slot in the same epoch (caught between its pin CAS and its own
     * record, then complete) stays pinned through the backstop's passes.
     */
    @Test
    void guardClosedAfterItsRecordWasMadeWeakIsNeverReleased() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("backstop-upgraded").build();
        AtomicReference<GuardBackstop.GuardRef> record = new AtomicReference<>();
        int slot = pinUpgradeAndClose(domain, record);
        long word = record.get().word;
        long deadline = System.nanoTime() + TestThreads.SHORT.toNanos();
        while (!record.get().refersTo(null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(record.get().refersTo(null)).as("the closed guard was collected").isTrue();
        long slotOffset = domain.slotBase + ((long) slot << 7);

        // a pin between its CAS and its record
        assertThat(SharedRegion.casLong(slotOffset, Epoch.IDLE, word)).isTrue();
        assertThat(domain.backstop.tryRelease(slot)).isNull();
        assertThat(SharedRegion.getLongVolatile(slotOffset)).as("the pin's slot word").isEqualTo(word);
        assertThat(SharedRegion.casLong(slotOffset, word, Epoch.IDLE)).isTrue();

        // a complete pin (the same thread probes the same free slot first), made weak, looked at again
        try (Guard second = domain.pin()) {
            assertThat(((PooledGuard) second).slot()).isEqualTo(slot);
            for (int pass = 0; pass < 3; pass++) {
                System.gc();
                assertThat(domain.backstop.tryRelease(slot)).isNull();
            }
            assertThat(SharedRegion.getLongVolatile(slotOffset)).isEqualTo(word);
        }
        domain.close();
    }

    /**
     * Pins a pooled guard, lets the backstop make its record weak (handed to {@code record}), and
     * closes it; returns its slot. The guard is unreachable once this returns.
     */
    private static int pinUpgradeAndClose(EpochDomain domain, AtomicReference<GuardBackstop.GuardRef> record) {
        Guard guard = domain.pin();
        int slot = ((PooledGuard) guard).slot();
        assertThat(domain.backstop.tryRelease(slot)).as("the first pass only makes the record weak").isNull();
        Object weak = domain.backstop.pin(slot);
        assertThat(weak).isInstanceOf(GuardBackstop.GuardRef.class);
        record.set((GuardBackstop.GuardRef) weak);
        guard.close();
        return slot;
    }

    /**
     * A domain dropped without close() together with a pooled guard never closed is still collected
     * (no thread runs detection: an inline domain with garbage in a partly filled bag): what was
     * pending is freed. The backstop's records must not keep the guard, and so its domain, reachable.
     */
    @Test
    void droppedGuardDoesNotKeepItsDroppedDomainAlive() throws Exception {
        CountingAllocator allocator = new CountingAllocator();
        Thread dropper = Thread.ofPlatform().start(() -> {
            EpochDomain domain = EpochDomain.builder().name("dropped-with-guard").reclaimInline(true).build();
            domain.pin().isPinned();
            domain.retire(allocator.allocate(64, 8), allocator);
        });
        dropper.join();
        long deadline = System.nanoTime() + TestThreads.SHORT.toNanos();
        while (allocator.freed() == 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(allocator.freed()).as("segments freed after the domain was dropped").isEqualTo(1);
        assertThat(allocator.badFrees()).isZero();
    }

    /**
     * With the backstop off (a builder option), a dropped pooled guard holds reclamation back even
     * after GCs: the variant the first test would catch, and the documented cost of the option.
     */
    @Test
    void withoutTheBackstopADroppedGuardHoldsReclamation() throws Exception {
        EpochDomain domain = EpochDomain.builder().name("no-backstop").guardBackstop(false).build();
        Thread dropper = Thread.ofPlatform().start(() -> domain.pin().isPinned());
        dropper.join();
        domain.retire(MALLOC.allocate(64), MALLOC);
        for (int i = 0; i < 5; i++) {
            System.gc();
            assertThat(domain.trySynchronize(Duration.ofMillis(30))).isFalse();
        }
        assertThat(domain.close(Duration.ofMillis(30))).isFalse(); // left open, as it was
        assertThat(domain.isClosed()).isFalse();
    }
}
