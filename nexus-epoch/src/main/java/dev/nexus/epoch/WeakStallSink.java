package dev.nexus.epoch;

import dev.nexus.epoch.internal.GracePeriodDetector;
import java.lang.ref.WeakReference;

/**
 * The stall monitor as the reclaimer thread sees it: through a weak reference, so that the thread
 * (a GC root while it runs) does not keep the monitor, and through it the domain, reachable. Once
 * the domain is collected, stragglers and epoch changes are ignored.
 */
final class WeakStallSink implements GracePeriodDetector.StragglerSink, Runnable {

    private final WeakReference<StallMonitor> monitor;

    WeakStallSink(StallMonitor monitor) {
        this.monitor = new WeakReference<>(monitor);
    }

    @Override
    public void straggler(int slot, long slotWord) {
        StallMonitor m = monitor.get();
        if (m != null) {
            m.straggler(slot, slotWord);
        }
    }

    /** Lets the monitor note an epoch change (the reclaimer's epoch observer). */
    @Override
    public void run() {
        StallMonitor m = monitor.get();
        if (m != null) {
            m.observeEpoch();
        }
    }
}
