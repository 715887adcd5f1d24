package dev.nexus.epoch;

import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.Reclaimer;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.StatisticsEvent;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * A domain's statistics: its gauges, its default report of failing frees and actions, and the
 * periodic {@code dev.nexus.epoch.Statistics} JFR event for every open domain. Domains are
 * held weakly (a forgotten domain must stay collectable); the hook is registered with the flight
 * recorder once it is initialized, and JFR calls it only while a recording enables the event.
 */
final class DomainStatistics {

    private static final Set<WeakReference<EpochDomain>> OPEN = ConcurrentHashMap.newKeySet();
    private static final ReferenceQueue<EpochDomain> COLLECTED = new ReferenceQueue<>();

    static {
        // the hook is added once the flight recorder is initialized (at once if it already is):
        // adding it earlier would initialize JFR, which costs most of a second, in every program
        // that creates a domain, recording or not
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                FlightRecorder.addPeriodicEvent(StatisticsEvent.class, DomainStatistics::emit);
            }
        });
    }

    private DomainStatistics() {
    }

    static void register(EpochDomain domain) {
        expunge();
        OPEN.add(new WeakReference<>(domain, COLLECTED));
    }

    static void deregister(EpochDomain domain) {
        OPEN.removeIf(ref -> ref.refersTo(domain));
        expunge();
    }

    private static void expunge() {
        for (var ref = COLLECTED.poll(); ref != null; ref = COLLECTED.poll()) {
            OPEN.remove(ref);
        }
    }

    private static void emit() {
        expunge();
        for (WeakReference<EpochDomain> ref : OPEN) {
            EpochDomain domain = ref.get();
            if (domain == null || domain.isClosed()) {
                continue;
            }
            EpochGauges gauges = domain.gauges();
            EpochStats stats = domain.stats();
            StatisticsEvent event = new StatisticsEvent();
            event.domain = domain.name();
            event.gracePeriods = gauges.gracePeriods();
            event.openGuards = gauges.openGuards();
            event.oldestGuardAgeNanos = gauges.oldestGuardAge().toNanos();
            event.pendingBytes = gauges.pendingBytes();
            event.retiredCount = stats.retiredCount();
            event.reclaimedCount = stats.reclaimedCount();
            event.stalls = stats.stalls();
            event.lagP50Nanos = saturatedNanos(gauges.retireToFreeLag().percentile(50));
            event.lagP99Nanos = saturatedNanos(gauges.retireToFreeLag().percentile(99));
            event.commit();
        }
    }

    private static long saturatedNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    /** The gauges of {@code domain} (see {@link EpochDomain#gauges()}). */
    static EpochGauges gauges(EpochDomain domain, StallMonitor stalls, Reclaimer reclaimer) {
        long now = System.nanoTime();
        long e = domain.epochValue();
        int open = 0;
        int[] ranges = domain.slotRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int slot = ranges[r]; slot < ranges[r + 1]; slot++) {
                // volatile: sees pins
                open += Epoch.isPinned(SharedRegion.getLongVolatile(domain.slotBase + ((long) slot << 7))) ? 1 : 0;
            }
        }
        return new EpochGauges(open, Duration.ofNanos(stalls.oldestSightingAge(now)), e - Epoch.FIRST,
                Duration.ofNanos(stalls.gracePeriodAge(e, now)),
                Math.max(0, reclaimer.retiredBytes() - reclaimer.reclaimedBytes()), stalls.released(),
                new LagHistogram(reclaimer.lag().snapshot()));
    }

    /** The reclaimer's failure sink (a failing free or action is a statistic too): the handler, or a log line; captures no domain. */
    static java.util.function.BiConsumer<Object, Throwable> failureSink(String name,
            ReclaimFailureHandler handler) {
        if (handler != null) {
            return (item, failure) -> handler.failed(name, item, failure);
        }
        System.Logger log = System.getLogger("dev.nexus.epoch");
        return (item, failure) -> log.log(System.Logger.Level.ERROR, "epoch domain '" + name + "': "
                + (item instanceof MemorySegment ? "freeing " : "running deferred action ") + item
                + " failed (set EpochDomain.builder().reclaimFailureHandler(...) to handle it)", failure);
    }
}
