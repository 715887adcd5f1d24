package dev.nexus.epoch;

/** A guard of a {@link Participant}: one per (possibly nested) {@link Participant#pin()}. */
final class ParticipantGuard implements Guard {

    private final Participant participant;
    private final int level;
    private boolean closed;

    ParticipantGuard(Participant participant, int level) {
        this.participant = participant;
        this.level = level;
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("guard of " + participant + " is already closed");
        }
        participant.unpin(level);
        closed = true;
    }

    @Override
    public void suspend() {
        checkOpen("suspended");
        participant.suspend(level);
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
