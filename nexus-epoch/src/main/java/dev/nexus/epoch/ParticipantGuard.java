package dev.nexus.epoch;

import java.lang.foreign.MemorySegment;

/** A guard of a {@link Participant}: one per (possibly nested) {@link Participant#pin()}. */
final class ParticipantGuard implements Guard {

    private final Participant participant;
    private final int level;
    private boolean closed;
    /** Views bound in checked mode; null otherwise (see CheckedViews). */
    private final CheckedViews views;

    ParticipantGuard(Participant participant, int level) {
        this.participant = participant;
        this.level = level;
        this.views = participant.domain().checked ? new CheckedViews() : null;
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("guard of " + participant + " is already closed");
        }
        participant.unpin(level);
        closed = true;
        if (views != null) {
            views.end(); // after a close that succeeded (a misuse leaves the guard and its views open)
        }
    }

    @Override
    public void suspend() {
        checkOpen("suspended");
        participant.suspend(level);
        if (views != null) {
            views.end();
        }
    }

    @Override
    public void resume() {
        checkOpen("resumed");
        participant.resume(level);
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException("guard of " + participant + " is closed and cannot be " + what);
        }
    }

    @Override
    public MemorySegment bind(MemorySegment segment) {
        java.util.Objects.requireNonNull(segment, "segment");
        if (!isPinned()) {
            throw new IllegalStateException("guard of " + participant + " cannot bind: it is "
                    + (closed ? "closed" : "suspended"));
        }
        return views == null ? segment : views.bind(segment);
    }

    @Override
    public boolean isPinned() {
        return !closed && participant.isPinned();
    }

    @Override
    public EpochDomain domain() {
        return participant.domain();
    }

    @Override
    public String toString() {
        return "Guard[" + participant + ", level " + level + (closed ? ", closed" : "") + "]";
    }
}
