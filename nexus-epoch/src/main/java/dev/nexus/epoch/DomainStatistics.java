package dev.nexus.epoch;

import dev.nexus.epoch.internal.StatisticsEvent;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * Emits the periodic {@code dev.nexus.epoch.Statistics} JFR event for every open domain. Domains are
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

    private static long saturatedNanos(java.time.Duration d) {
        return d.compareTo(java.time.Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }
}
