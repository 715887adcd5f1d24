package dev.nexus.zerocopy.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;

/**
 * One hold on a batch's memory (a slice, an export, a stream...): the memory is not handed to the
 * epoch domain while the hold is open. {@link #release()} is idempotent, thread-safe, callable from
 * any thread (an FFM upcall on a foreign thread included) and never throws.
 *
 * <p>A hold that becomes unreachable without being released can never be released: its batch's
 * memory stays allocated. That is reported (System.Logger WARNING with the site where the hold was
 * taken) and counted in {@code ZeroCopyStats.droppedHolds}; the memory is not freed, since a foreign
 * consumer may still read it.
 */
public final class Hold {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Ticket ticket;
    private final Cleaner.Cleanable cleanable;

    Hold(BatchLifetime lifetime, String kind, StackWalker.StackFrame[] site) {
        this.ticket = new Ticket(lifetime, kind, site);
        this.cleanable = CLEANER.register(this, ticket);
    }

    /**
     * Releases the hold, once; later calls do nothing. If it was the last hold of a closed batch, the
     * batch's memory goes to the epoch domain. A failure to hand it over (a closed domain is handled;
     * a garbage budget with policy FAIL is not) is logged, never thrown.
     */
    public void release() {
        ticket.release();
        cleanable.clean(); // deregisters; the ticket's action does nothing once released
    }

    /**
     * Whether {@link #release()} was called.
     *
     * @return true once released
     */
    public boolean isReleased() {
        return ticket.released != 0;
    }

    /**
     * What holds the batch.
     *
     * @return the kind given to {@code BatchAccess.retain}
     */
    public String kind() {
        return ticket.kind;
    }

    /**
     * Where the hold was taken.
     *
     * @return the innermost frames of the call outside this module's internals, {@code " <- "}
     *     separated (a fixed text when sites are not recorded: {@code -Dnexus.zerocopy.holdSites=false})
     */
    public String site() {
        return ticket.site();
    }

    Ticket ticket() {
        return ticket;
    }

    @Override
    public String toString() {
        return "Hold[" + ticket.kind + " of " + ticket.lifetime.label() + (isReleased() ? ", released" : "")
                + " at " + ticket.site() + "]";
    }

    /** The state of a hold, kept apart from it so that its Cleaner can see whether it was released. */
    static final class Ticket implements Runnable {
        final BatchLifetime lifetime;
        final String kind;
        private final StackWalker.StackFrame[] frames;
        final long createdNanos = System.nanoTime();
        @SuppressWarnings("unused") // accessed through RELEASED
        volatile int released;

        Ticket(BatchLifetime lifetime, String kind, StackWalker.StackFrame[] frames) {
            this.lifetime = lifetime;
            this.kind = kind;
            this.frames = frames;
        }

        String site() {
            return BatchLifetime.format(frames);
        }

        void release() {
            // volatile CAS: exactly one caller wins the release (idempotence across threads)
            if ((int) RELEASED.compareAndExchange(this, 0, 1) != 0) {
                return;
            }
            try {
                lifetime.release(this);
            } catch (Throwable t) {
                BatchLifetime.LOG.log(System.Logger.Level.ERROR, "releasing a '" + kind + "' hold of "
                        + lifetime.label() + " failed; its memory may stay allocated", t);
            }
        }

        /** The Cleaner's action: the Hold became unreachable. */
        @Override
        public void run() {
            if (released == 0) {
                BatchLifetime.dropped(this);
            }
        }
    }

    // VarHandle mechanics
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Ticket.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
