package dev.nexus.zerocopy.internal;

import dev.nexus.zerocopy.HoldInfo;
import dev.nexus.zerocopy.ZeroCopyStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The lifetime of one batch's memory, shared by the batch and all its slices: the memory is reclaimed
 * (handed to the epoch domain by the reclaim action) exactly once, when the batch is closed and every
 * {@link Hold} is released.
 *
 * <p>Progress: {@link #retain}, {@link #close} and {@link Hold#release} are lock-free (a CAS loop on
 * one state word), apart from the reclaim action, which runs on the thread whose close or release made
 * the batch reclaimable and may block as the domain's {@code retire} does.
 */
public final class BatchLifetime {

    /*
     * Implementation notes.
     *
     * One long state word packs: bit 0 CLOSED (close() was called), bit 1 RECLAIMED (the reclaim action
     * was claimed), bits 2.. the number of open holds. Every transition is a CAS on the whole word, so
     * "closed with zero holds" is observed by exactly one CAS, which also sets RECLAIMED: the reclaim
     * action runs exactly once, after the last of close() and the final release. retain() fails once
     * RECLAIMED is set, so no hold can be taken on memory already handed to the domain.
     *
     * Invariants: RECLAIMED implies CLOSED and zero holds, forever. Holds never go negative (each Hold
     * releases once, guarded by its own CAS).
     * Non-invariants: the set of open holds (for reports) is updated outside the state CAS; a racing
     * report may miss a hold being taken or still list one being released.
     */

    static final System.Logger LOG = System.getLogger("dev.nexus.zerocopy");

    private static final long CLOSED = 1;
    private static final long RECLAIMED = 2;
    private static final long ONE_HOLD = 4;

    private static final LongAdder LIVE = new LongAdder();
    private static final LongAdder OPEN_HOLDS = new LongAdder();
    private static final LongAdder HOLDS_AT_CLOSE = new LongAdder();
    private static final LongAdder RECLAIMED_COUNT = new LongAdder();
    private static final LongAdder DROPPED = new LongAdder();

    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final int SITE_FRAMES = 4;

    /**
     * Whether holds record where they were taken (a stack walk of a few frames, about a microsecond or
     * more per hold; formatted only when reported). Read once from the system property
     * {@code nexus.zerocopy.holdSites} (default {@code true}; {@code false} turns it off).
     */
    static final boolean RECORD_SITES = !"false".equalsIgnoreCase(System.getProperty("nexus.zerocopy.holdSites"));

    /** The site of a hold when sites are not recorded. */
    static final String NO_SITE = "(not recorded: -Dnexus.zerocopy.holdSites=false)";

    private final String label;
    private final Runnable reclaim;
    private final Set<Hold.Ticket> open = ConcurrentHashMap.newKeySet();
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    /**
     * A lifetime that runs {@code reclaim} once closed with no hold open.
     *
     * @param label names the batch in messages and logs
     * @param reclaim hands the memory to the epoch domain (retire or defer); may throw, which
     *     {@link #close} propagates and {@link Hold#release} logs
     */
    public BatchLifetime(String label, Runnable reclaim) {
        this.label = label;
        this.reclaim = reclaim;
        LIVE.increment();
    }

    /**
     * Takes a hold.
     *
     * @param kind what holds the batch, for reports
     * @return the hold; release it exactly once (further releases do nothing)
     * @throws IllegalStateException if the batch was closed and its memory already reclaimed
     */
    public Hold retain(String kind) {
        while (true) {
            long s = (long) STATE.getVolatile(this);
            if ((s & RECLAIMED) != 0) {
                throw new IllegalStateException(label + " is closed and every hold on it was released: its memory"
                        + " is being reclaimed, no new '" + kind + "' hold can be taken");
            }
            if (s + ONE_HOLD < 0) {
                throw new IllegalStateException(label + " has too many open holds to take a '" + kind + "' hold");
            }
            // volatile CAS: linearizes the retain against close() and the releases (see the notes)
            if (STATE.compareAndSet(this, s, s + ONE_HOLD)) {
                break;
            }
        }
        Hold hold = new Hold(this, kind, RECORD_SITES ? frames() : null);
        open.add(hold.ticket());
        OPEN_HOLDS.increment();
        return hold;
    }

    void release(Hold.Ticket hold) {
        open.remove(hold);
        OPEN_HOLDS.decrement();
        while (true) {
            long s = (long) STATE.getVolatile(this);
            assert s >= ONE_HOLD : "release without a hold: state=" + s;
            long next = s - ONE_HOLD;
            if (next == CLOSED) {
                next |= RECLAIMED;
            }
            // volatile CAS: the one CAS that reaches "closed, no hold" also claims the reclaim
            if (STATE.compareAndSet(this, s, next)) {
                if ((next & RECLAIMED) != 0) {
                    doReclaim();
                }
                return;
            }
        }
    }

    /**
     * Closes the batch; idempotent. If no hold is open, the memory is reclaimed now; otherwise the
     * open holds are logged (DEBUG, with their sites), counted in {@link ZeroCopyStats#holdsOpenAtClose},
     * and the last release reclaims it.
     *
     * @return true if this call closed the batch, false if it was closed already
     * @throws RuntimeException what the reclaim action throws (for example a garbage budget exceeded
     *     with policy FAIL); the memory then stays allocated
     */
    public boolean close() {
        long next;
        while (true) {
            long s = (long) STATE.getVolatile(this);
            if ((s & CLOSED) != 0) {
                return false;
            }
            next = s | CLOSED;
            if (next == CLOSED) {
                next |= RECLAIMED;
            }
            // volatile CAS: linearization point of close(); see release() for the reclaim claim
            if (STATE.compareAndSet(this, s, next)) {
                break;
            }
        }
        if ((next & RECLAIMED) != 0) {
            doReclaim();
        } else {
            reportOpenHolds();
        }
        return true;
    }

    private void reportOpenHolds() {
        List<HoldInfo> holds = openHolds();
        HOLDS_AT_CLOSE.add(holds.size());
        // DEBUG, not WARNING: closing a batch that a stream, a slice or a consumer still holds is the
        // normal way to hand it over; a hold that is never released is reported when it is dropped
        if (!holds.isEmpty() && LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, label + " closed with " + holds.size()
                    + " open hold(s); its memory is reclaimed when they are released: "
                    + holds.stream().map(h -> h.kind() + " (" + h.age().toMillis() + " ms) at " + h.site())
                    .collect(Collectors.joining("; ")));
        }
    }

    static void dropped(Hold.Ticket hold) {
        DROPPED.increment();
        LOG.log(System.Logger.Level.WARNING, "a '" + hold.kind + "' hold of " + hold.lifetime.label()
                + " became unreachable without release(); the batch's memory stays allocated. Taken at "
                + hold.site());
    }

    private void doReclaim() {
        LIVE.decrement();
        RECLAIMED_COUNT.increment();
        reclaim.run();
    }

    /**
     * Whether {@link #close} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return ((long) STATE.getVolatile(this) & CLOSED) != 0;
    }

    /**
     * Whether the memory was handed to the epoch domain (closed and no hold open).
     *
     * @return true once reclaimed
     */
    public boolean isReclaimed() {
        return ((long) STATE.getVolatile(this) & RECLAIMED) != 0;
    }

    /**
     * The number of open holds.
     *
     * @return holds taken and not released
     */
    public long holdCount() {
        return (long) STATE.getVolatile(this) >>> 2;
    }

    /**
     * The holds still open, oldest first.
     *
     * @return a snapshot (see the non-invariants in the implementation notes)
     */
    public List<HoldInfo> openHolds() {
        long now = System.nanoTime();
        List<Hold.Ticket> holds = new ArrayList<>(open);
        holds.sort((a, b) -> Long.compare(a.createdNanos, b.createdNanos));
        List<HoldInfo> infos = new ArrayList<>(holds.size());
        for (Hold.Ticket h : holds) {
            infos.add(new HoldInfo(h.kind, h.site(), Duration.ofNanos(now - h.createdNanos)));
        }
        return infos;
    }

    /**
     * The batch's name in messages.
     *
     * @return the label
     */
    public String label() {
        return label;
    }

    /**
     * The process-wide counters.
     *
     * @return a snapshot
     */
    public static ZeroCopyStats stats() {
        return new ZeroCopyStats(LIVE.sum(), OPEN_HOLDS.sum(), HOLDS_AT_CLOSE.sum(), DROPPED.sum(),
                RECLAIMED_COUNT.sum());
    }

    private static StackWalker.StackFrame[] frames() {
        return WALKER.walk(frames -> frames
                .filter(f -> !f.getClassName().startsWith("dev.nexus.zerocopy.internal.")
                        && !f.getClassName().equals("dev.nexus.zerocopy.ColumnBatch")
                        && !f.getClassName().startsWith("dev.nexus.zerocopy.ColumnBatch$"))
                .limit(SITE_FRAMES)
                .toArray(StackWalker.StackFrame[]::new));
    }

    static String format(StackWalker.StackFrame[] frames) {
        if (frames == null) {
            return NO_SITE;
        }
        return Arrays.stream(frames).map(f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber())
                .collect(Collectors.joining(" <- "));
    }

    @Override
    public String toString() {
        long s = (long) STATE.getVolatile(this);
        return label + "[closed=" + ((s & CLOSED) != 0) + ", reclaimed=" + ((s & RECLAIMED) != 0)
                + ", holds=" + (s >>> 2) + "]";
    }

    // VarHandle mechanics
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(BatchLifetime.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
