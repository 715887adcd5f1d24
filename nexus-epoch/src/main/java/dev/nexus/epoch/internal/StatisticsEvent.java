package dev.nexus.epoch.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Periodic JFR event: one per open domain and period, the gauges of {@code EpochDomain.gauges()}. */
@Name("dev.nexus.epoch.Statistics")
@Label("Epoch Domain Statistics")
@Category("Nexus")
@Description("Gauges of an open epoch domain, sampled periodically")
@Period("1 s")
@StackTrace(false)
public final class StatisticsEvent extends jdk.jfr.Event {

    /** The domain's name. */
    @Label("Domain")
    public String domain;

    /** Grace periods completed. */
    @Label("Grace Periods")
    public long gracePeriods;

    /** Guards pinned when sampled. */
    @Label("Open Guards")
    public int openGuards;

    /** Longest time a still-pinned guard has been seen pinned. */
    @Label("Oldest Guard Age")
    @Timespan(Timespan.NANOSECONDS)
    public long oldestGuardAgeNanos;

    /** Bytes retired and not yet freed. */
    @Label("Pending Bytes")
    @DataAmount(DataAmount.BYTES)
    public long pendingBytes;

    /** Segments retired plus actions deferred so far. */
    @Label("Retired")
    public long retiredCount;

    /** Segments freed plus actions run so far. */
    @Label("Reclaimed")
    public long reclaimedCount;

    /** Stalled guards reported so far. */
    @Label("Stalls")
    public long stalls;

    /** Median retire-to-free lag (upper bound of its power-of-two bucket). */
    @Label("Lag p50")
    @Timespan(Timespan.NANOSECONDS)
    public long lagP50Nanos;

    /** 99th percentile retire-to-free lag (upper bound of its power-of-two bucket). */
    @Label("Lag p99")
    @Timespan(Timespan.NANOSECONDS)
    public long lagP99Nanos;

    /** A new, uncommitted event. */
    public StatisticsEvent() {
    }
}
