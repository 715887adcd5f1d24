package dev.nexus.epoch.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/** JFR event for a guard that holds a grace period back longer than the domain's stall threshold. */
@Name("dev.nexus.epoch.StalledGuard")
@Label("Stalled Guard")
@Category("Nexus")
@Description("A guard pinned before the running grace period is still open past the stall threshold")
public final class StalledGuardEvent extends jdk.jfr.Event {

    /** The domain's name. */
    @Label("Domain")
    public String domain;

    /** Id of the thread that opened the guard, 0 if unknown. */
    @Label("Owner Thread Id")
    public long ownerThreadId;

    /** Name of that thread, if known. */
    @Label("Owner Thread Name")
    public String ownerThreadName;

    /** That thread, if known (pooled guards record it at every pin; participants at registration). */
    @Label("Owner Thread")
    public Thread ownerThread;

    /** The epoch the guard pinned. */
    @Label("Pinned Epoch")
    public long pinnedEpoch;

    /** The domain's epoch when the stall was seen. */
    @Label("Global Epoch")
    public long globalEpoch;

    /** How long the grace period has waited for the guard. */
    @Label("Stalled For")
    @Timespan(Timespan.NANOSECONDS)
    public long stalledNanos;

    /** A new, uncommitted event. */
    public StalledGuardEvent() {
    }
}
