package dev.nexus.epoch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.Membarrier;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.SlotFlag;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The read side a domain chooses ({@link EpochDomain.Builder#readSide}), its fallback when
 * membarrier is unsupported (injected through the builder's test switch), and the membarrier read
 * side's offlining handshake racing a participant's pins (cancel against commit).
 */
class ReadSideTest {

    private static final Membarrier.Status REFUSED =
            new Membarrier.Status(false, "membarrier(MEMBARRIER_CMD_QUERY, 0, 0) returned -1: errno=1 (injected)");
    private static final boolean SUPPORTED = Membarrier.get().status().supported();
    private static final boolean X86 = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    private static final long SECONDS = Long.getLong("nexus.torture.seconds", 4);

    /** AUTO picks MEMBARRIER where membarrier is supported on x86-64, CAS elsewhere; stats and toString say so. */
    @Test
    void autoFollowsTheProbe() {
        try (EpochDomain domain = EpochDomain.builder().name("auto").build()) {
            ReadSide expected = SUPPORTED && X86 ? ReadSide.MEMBARRIER : ReadSide.CAS;
            assertThat(domain.stats().readSide()).isEqualTo(expected);
            assertThat(domain.stats().readSideReason()).startsWith("AUTO");
            assertThat(domain.toString()).contains("readSide=" + expected).contains("AUTO");
        }
    }

    /** CAS asked for is CAS, whatever the system supports. */
    @Test
    void casCanBeForced() {
        try (EpochDomain domain = EpochDomain.builder().readSide(ReadSide.CAS).build()) {
            assertThat(domain.stats().readSide()).isEqualTo(ReadSide.CAS);
            assertThat(domain.stats().readSideReason()).contains("readSide(CAS)");
            exercise(domain);
        }
    }

    /** AUTO on a system whose membarrier probe says unsupported falls back to CAS and says why. */
    @Test
    void autoFallsBackToCasWhenUnsupported() {
        try (EpochDomain domain = EpochDomain.builder().membarrierStatusForTests(REFUSED).build()) {
            assertThat(domain.stats().readSide()).isEqualTo(ReadSide.CAS);
            assertThat(domain.stats().readSideReason()).contains("injected");
            assertThat(domain.toString()).contains("readSide=CAS").contains("injected");
            exercise(domain);
        }
    }

    /** MEMBARRIER asked for on a system that says unsupported is refused, with the probe's reason. */
    @Test
    void membarrierWhereUnsupportedThrows() {
        assertThatThrownBy(() -> EpochDomain.builder().readSide(ReadSide.MEMBARRIER)
                .membarrierStatusForTests(REFUSED).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("readSide(MEMBARRIER)").hasMessageContaining("injected");
    }

    /** The test switch accepts only an unsupported status (a supported one would call a missing syscall). */
    @Test
    void testSwitchRefusesSupported() {
        assertThatThrownBy(() -> EpochDomain.builder()
                .membarrierStatusForTests(new Membarrier.Status(true, "pretend")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pretend");
    }

    /**
     * Membarrier read side: a participant that idles between guards is taken offline by the flag
     * handshake while another thread drives grace periods; its pins race the offliner (cancel
     * against commit), and no pin ever holds while its slot's flag is OFFLINE (the slot departed).
     * Its slot went offline (and re-joined) at least once, and grace periods kept ending. The
     * store-buffering interleaving that a handshake without its membarrier would lose is too rare
     * to meet here (a run with the offliner's membarrier removed passed this test three times out
     * of three); the jcstress test {@code Offline_10_FlagHandshake} is the one that catches it
     * ({@code BrokenNoMembarrier}).
     */
    @Test
    void offliningRacesPinsWithoutLosingOne() throws Exception {
        if (!SUPPORTED) {
            return; // the CAS read side has no flag handshake (covered by QuiescenceTreeTest)
        }
        try (EpochDomain domain = EpochDomain.builder().name("flag-race").readSide(ReadSide.MEMBARRIER).build();
                TestThreads threads = new TestThreads()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong pins = new AtomicLong();
            AtomicLong rejoins = new AtomicLong();
            AtomicLong cancels = new AtomicLong();
            AtomicReference<String> broken = new AtomicReference<>();
            threads.platform("driver", () -> {
                while (!stop.get()) {
                    domain.synchronize(); // fqs: offlines slots idle for two grace periods
                }
            });
            threads.platform("pinner", () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                try (Participant self = domain.register()) {
                    long flagOffset = self.slotOffset() + DomainLayout.SLOT_FLAG;
                    while (!stop.get()) {
                        long before = SharedRegion.getLongVolatile(flagOffset);
                        try (Guard guard = self.pin()) {
                            long flag = SharedRegion.getLongVolatile(flagOffset);
                            if (SlotFlag.state(flag) == SlotFlag.OFFLINE) {
                                broken.compareAndSet(null, "pinned with the flag OFFLINE: " + Long.toHexString(flag));
                            }
                            if (!Epoch.isPinned(SharedRegion.getLongVolatile(self.slotOffset()))) {
                                broken.compareAndSet(null, "guard open with the slot word unpinned");
                            }
                            pins.incrementAndGet();
                        }
                        if (SlotFlag.state(before) == SlotFlag.OFFLINE) {
                            rejoins.incrementAndGet();
                        } else if (SlotFlag.state(before) == SlotFlag.OFFLINING) {
                            cancels.incrementAndGet();
                        }
                        // idle for a random while: sometimes long enough for two grace periods
                        LockSupport.parkNanos(random.nextInt(4) == 0 ? random.nextInt(2_000_000) : 1_000);
                    }
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, SECONDS / 2));
            while (System.nanoTime() < deadline && rejoins.get() < 20 && broken.get() == null) {
                LockSupport.parkNanos(10_000_000);
            }
            stop.set(true);
            threads.close();
            assertThat(broken.get()).as("a pin held with its slot departed").isNull();
            assertThat(rejoins.get()).as("the slot went offline and re-joined").isPositive();
            assertThat(pins.get()).isPositive();
            assertThat(domain.stats().epoch()).isGreaterThan(10);
        }
    }

    /**
     * On the membarrier read side the dead-owner backstop only unpins the dead owner's slot word and
     * leaves its flag word to release(): a second step taking the flag offline could depart a new
     * owner that registered and pinned the slot in between (a pinned reader left uncounted).
     */
    @Test
    void deadOwnerBackstopLeavesTheFlagToRelease() throws Exception {
        EpochDomain domain = EpochDomain.builder().readSide(ReadSide.MEMBARRIER).build();
        try {
            AtomicReference<Participant> dead = new AtomicReference<>();
            Thread owner = Thread.ofPlatform().start(() -> {
                Participant participant = domain.register();
                participant.pin(); // never closed: the thread ends pinned
                dead.set(participant);
            });
            owner.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(owner.isAlive()).isFalse();
            Participant participant = dead.get();
            long flagOffset = participant.slotOffset() + DomainLayout.SLOT_FLAG;
            long pinned = SharedRegion.getLongVolatile(participant.slotOffset());
            long flagBefore = SharedRegion.getLongVolatile(flagOffset);
            assertThat(SlotFlag.state(flagBefore)).isEqualTo(SlotFlag.ONLINE);

            // the reclaimer's stall check may have released the dead pin already: either way the
            // slot word ends IDLE and the flag word is untouched
            domain.participants().releaseIfOwnerDead(participant.slot(), pinned);
            long flagAfter = SharedRegion.getLongVolatile(flagOffset);
            assertThat(SharedRegion.getLongVolatile(participant.slotOffset())).isEqualTo(Epoch.IDLE);
            assertThat(flagAfter).isEqualTo(flagBefore);
            assertThat(domain.trySynchronize(java.time.Duration.ofSeconds(30))).isTrue();
        } finally {
            domain.close();
        }
    }

    private static void exercise(EpochDomain domain) {
        try (Participant self = domain.register()) {
            try (Guard outer = self.pin(); Guard inner = self.pin()) {
                assertThat(inner.isPinned()).isTrue();
            }
        }
        try (Guard guard = domain.pin()) {
            assertThat(guard.isPinned()).isTrue();
        }
        domain.retire(NativeAllocator.malloc().allocate(64), NativeAllocator.malloc());
        domain.barrier();
        assertThat(domain.stats().reclaimedCount()).isEqualTo(1);
    }
}
