package dev.nexus.epoch;

import dev.nexus.epoch.internal.DomainLayout;
import dev.nexus.epoch.internal.Epoch;
import dev.nexus.epoch.internal.GracePeriodDetector;
import dev.nexus.epoch.internal.SharedRegion;
import dev.nexus.epoch.internal.StalledGuardEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches the stragglers that detection passes to it: reports guards that stall a grace period past
 * the threshold (listener and JFR event, once per guard and pinned epoch), releases the slots of
 * participants whose thread died, and makes waits fail fast on the caller's own guard.
 */
final class StallMonitor implements GracePeriodDetector.StragglerSink {

    /*
     * Implementation notes.
     *
     * stalledFor must be a lower bound on the guard's age, so it is measured from the later of two
     * instants, each itself no earlier than the truth: when this monitor first saw the running
     * grace period (the epoch read at the report, not the one of the last step: a step runs several
     * rounds, and one that ends grace period k must not lend k's age to the stragglers of k+1), and
     * when it first saw this pin of the slot (slot word plus, for pooled slots, the backstop's
     * record of the pin, so that a new guard on the same slot and epoch starts afresh).
     */

    private static final System.Logger LOG = System.getLogger("dev.nexus.epoch");

    private final EpochDomain domain;
    private final long thresholdNanos;
    private final StallListener listener;
    private final ConcurrentHashMap<Integer, Sighting> sightings = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Sighting> reportedPins = new ConcurrentHashMap<>();
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    /** When the last default stall log line was written (0: never), and the reports skipped since. */
    private final AtomicLong lastLogged = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();
    /** At most one default stall log line per domain per this interval. */
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    /**
     * The latest epoch this monitor has seen, and when it first saw it; replaced as a whole (CAS),
     * only by a later epoch. Invariant: {@code since} is no earlier than the start of that grace
     * period.
     */
    private final AtomicReference<GracePeriodClock> clock =
            new AtomicReference<>(new GracePeriodClock(-1, 0));

    /** When grace period {@code epoch} was first seen. */
    private record GracePeriodClock(long epoch, long since) {
    }

    /** A pin first seen (as a straggler) at {@code since}: slot word and the backstop's record. */
    private record Sighting(long word, Object pin, long since) {
    }

    StallMonitor(EpochDomain domain, long thresholdNanos, StallListener listener) {
        this.domain = domain;
        this.thresholdNanos = thresholdNanos;
        this.listener = listener;
    }

    /** Notes when the global epoch changes; a grace period's age is measured from there. */
    void observeEpoch() {
        gracePeriodStart(domain.epochValue(), System.nanoTime());
    }

    /** When grace period {@code e} was first seen (now, if this is the first time). */
    private long gracePeriodStart(long e, long now) {
        while (true) {
            GracePeriodClock seen = clock.get();
            if (seen.epoch() == e) {
                return seen.since();
            }
            if (seen.epoch() > e) {
                return now; // a stale epoch read: the grace period it names is over; claim nothing
            }
            if (clock.compareAndSet(seen, new GracePeriodClock(e, now))) {
                return now;
            }
        }
    }

    long reported() {
        return reported.get();
    }

    /** How long the running grace period ({@code e}) has been seen (a lower bound on its age). */
    long gracePeriodAge(long e, long now) {
        return now - gracePeriodStart(e, now);
    }

    /**
     * The longest any slot still holding the pin it was first seen with has been seen pinned; 0 if
     * none. A slot's word is re-read (volatile) to drop sightings of pins that are gone.
     */
    long oldestSightingAge(long now) {
        long oldest = 0;
        for (var entry : sightings.entrySet()) {
            Sighting seen = entry.getValue();
            long word = SharedRegion.getLongVolatile(domain.slotBase + ((long) entry.getKey() << 7));
            if (word == seen.word() && Epoch.isPinned(word)) {
                oldest = Math.max(oldest, now - seen.since());
            }
        }
        return oldest;
    }

    /** Pooled guards released by the backstop (they became unreachable while pinned). */
    long released() {
        return released.get();
    }

    /**
     * Reports a pooled guard that became unreachable without being closed and whose slot the
     * backstop released: to the listener, and always to the log (it is a bug of the caller).
     */
    private void reportReleased(GuardBackstop.GuardRef dropped, long slotWord) {
        Thread thread = dropped.thread;
        StalledGuard guard = new StalledGuard(domain.name, thread.threadId(), thread.getName(),
                Epoch.pinnedEpoch(slotWord), domain.epochValue(), Duration.ZERO, List.of(), false);
        LOG.log(System.Logger.Level.WARNING, () -> "epoch domain '" + domain.name + "': a guard opened by"
                + " thread '" + thread.getName() + "' (id " + thread.threadId() + ") at epoch "
                + guard.pinnedEpoch() + " became unreachable without being closed; its slot was"
                + " released. Close every guard (try-with-resources); reads made after a guard is"
                + " dropped are not protected");
        if (listener != null) {
            try {
                listener.onGuardReleased(guard);
            } catch (RuntimeException | Error failure) {
                LOG.log(System.Logger.Level.ERROR, "epoch domain '" + domain.name
                        + "': the stall listener threw", failure);
            }
        }
    }

    @Override
    public void straggler(int slot, long slotWord) {
        if (domain.participants().releaseIfOwnerDead(slot, slotWord)) {
            return;
        }
        if (!domain.participants().contains(slot)) {
            // the first pass over a dropped guard only makes its record weak; one after a GC releases
            // it. Before pin(slot) below: a sighting then holds the weak record, not the guard
            GuardBackstop.GuardRef dropped = domain.backstop.tryRelease(slot);
            if (dropped != null) {
                released.incrementAndGet();
                reportReleased(dropped, slotWord);
                return;
            }
        }
        long now = System.nanoTime();
        long gracePeriodStart = gracePeriodStart(domain.epochValue(), now);
        Object pin = domain.participants().contains(slot) ? null : domain.backstop.pin(slot);
        Sighting seen = sightings.get(slot);
        if (seen == null || seen.word() != slotWord || seen.pin() != pin) {
            seen = new Sighting(slotWord, pin, now);
            sightings.put(slot, seen); // racing monitors: either sighting is a lower bound
        }
        long waited = now - Math.max(gracePeriodStart, seen.since());
        if (waited < thresholdNanos) {
            return;
        }
        Sighting previous = reportedPins.put(slot, seen);
        if (previous != null && previous.word() == seen.word() && previous.pin() == seen.pin()) {
            return; // once per pin
        }
        reported.incrementAndGet();
        report(slot, slotWord, waited);
    }

    private void report(int slot, long slotWord, long waited) {
        long threadId = SharedRegion.getLongVolatile(domain.slotBase + ((long) slot << 7)
                + DomainLayout.SLOT_OWNER);
        Thread thread = domain.participants().ownerThread(slot);
        if (thread == null && !domain.participants().contains(slot)) {
            thread = domain.backstop.thread(slot); // recorded by every pooled pin (GuardBackstop)
            if (thread != null && thread.threadId() != threadId && threadId != 0) {
                thread = null; // the record belongs to a newer pin than the word seen
            }
        }
        EpochDomain.PinSite site = domain.pinSite(slot);
        if (thread == null && site != null && site.thread().threadId() == threadId) {
            thread = site.thread();
        }
        List<StackTraceElement> openedAt = site != null && site.thread().threadId() == threadId
                ? List.of(site.site().getStackTrace()) : List.of();
        StalledGuardEvent event = new StalledGuardEvent();
        if (event.isEnabled()) {
            event.domain = domain.name;
            event.ownerThreadId = thread == null ? threadId : thread.threadId();
            event.ownerThreadName = thread == null ? null : thread.getName();
            event.ownerThread = thread;
            event.pinnedEpoch = Epoch.pinnedEpoch(slotWord);
            event.globalEpoch = domain.epochValue();
            event.stalledNanos = waited;
            event.commit();
        }
        StalledGuard stall = new StalledGuard(domain.name, thread == null ? threadId : thread.threadId(),
                thread == null ? null : thread.getName(), Epoch.pinnedEpoch(slotWord),
                domain.epochValue(), Duration.ofNanos(waited), openedAt,
                domain.participants().contains(slot));
        if (listener == null) {
            logStall(stall);
            return;
        }
        try {
            listener.onStall(stall);
        } catch (RuntimeException | Error failure) {
            LOG.log(System.Logger.Level.ERROR, "epoch domain '" + domain.name + "': the stall listener threw",
                    failure);
        }
    }

    /**
     * The default report, without a listener: a WARNING through {@link System.Logger} (logger
     * {@code dev.nexus.epoch}), at most one per {@link #LOG_INTERVAL_NANOS} per domain; the reports
     * skipped meanwhile are counted in the next line.
     */
    private void logStall(StalledGuard stall) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (last != 0 && now - last < LOG_INTERVAL_NANOS || !lastLogged.compareAndSet(last, now == 0 ? 1 : now)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        LOG.log(System.Logger.Level.WARNING, () -> "epoch domain '" + stall.domain() + "': a "
                + (stall.participant() ? "participant" : "pooled") + " guard of thread '" + stall.threadName()
                + "' (id " + stall.threadId() + "), pinned at epoch " + stall.pinnedEpoch()
                + ", has held reclamation back for at least " + stall.stalledFor().toMillis()
                + " ms (epoch now " + stall.globalEpoch() + "); nothing retired since can be freed"
                + " until it closes" + (skipped > 0 ? " (" + skipped + " more stall reports skipped)" : "")
                + ". Set EpochDomain.builder().stallListener(...) to handle stalls yourself");
    }

    private IllegalStateException ownGuard(String what, long slotWord) {
        return new IllegalStateException("epoch domain '" + domain.name + "': " + what
                + " called by thread '" + Thread.currentThread().getName()
                + "', which holds an open guard pinned at epoch " + Epoch.pinnedEpoch(slotWord)
                + "; close the guard first (waiting for it would deadlock)");
    }

    /**
     * Fails before any waiting if the calling thread holds an open guard of the domain (one it
     * opened, pooled or participant): the misuse is reported whatever else the wait would have met
     * first (an interrupt, a timeout). O(slots in use): a scan of the owner words, each written by
     * its pinner, so this thread reads its own writes exactly.
     */
    private void checkNoOwnGuard(String what) {
        long me = Thread.currentThread().threadId();
        int[] ranges = domain.slotRanges();
        for (int r = 0; r < ranges.length; r += 2) {
            for (int slot = ranges[r]; slot < ranges[r + 1]; slot++) {
                long slotOffset = domain.slotBase + ((long) slot << 7);
                long word = SharedRegion.getLongVolatile(slotOffset); // volatile: as in failingOnOwnGuard
                if (Epoch.isPinned(word)
                        && SharedRegion.getLongVolatile(slotOffset + DomainLayout.SLOT_OWNER) == me) {
                    throw ownGuard(what, word);
                }
            }
        }
    }

    /**
     * A sink for a wait by the calling thread: it fails fast when a straggler is a guard that this
     * thread opened (the wait could never end), and otherwise acts as the monitor.
     */
    GracePeriodDetector.StragglerSink failingOnOwnGuard(String what) {
        checkNoOwnGuard(what);
        return sinkFailingOnOwnGuard(what);
    }

    /**
     * As {@link #failingOnOwnGuard}, but the scan of every slot in use runs only when the wait is
     * about to give up (an interrupt, a timeout), not before every wait: synchronize() and barrier()
     * stay independent of the number of slots. A guard of the caller that holds the wait back is a
     * straggler of every force-quiescent-state pass, so the sink still reports it as the misuse.
     */
    GracePeriodDetector.StragglerSink failingOnOwnGuardBeforeGivingUp(String what) {
        GracePeriodDetector.StragglerSink sink = sinkFailingOnOwnGuard(what);
        return new GracePeriodDetector.StragglerSink() {
            @Override
            public void straggler(int slot, long slotWord) {
                sink.straggler(slot, slotWord);
            }

            @Override
            public void beforeGivingUp() {
                checkNoOwnGuard(what);
            }
        };
    }

    private GracePeriodDetector.StragglerSink sinkFailingOnOwnGuard(String what) {
        long me = Thread.currentThread().threadId();
        return (slot, slotWord) -> {
            // volatile read after the volatile read of the PINNED word: sees 0 or the pinning thread
            long owner = SharedRegion.getLongVolatile(domain.slotBase + ((long) slot << 7)
                    + DomainLayout.SLOT_OWNER);
            if (owner == me) {
                throw ownGuard(what, slotWord);
            }
            straggler(slot, slotWord);
        };
    }
}
