package dev.nexus.epoch;

/** A guard on a slot leased from the domain's pool ({@link EpochDomain#pin()}). */
final class PooledGuard implements Guard {

    private static final int OPEN = 0;
    private static final int SUSPENDED = 1;
    private static final int CLOSED = 2;

    private final EpochDomain domain;
    private int slot;
    private int state;

    PooledGuard(EpochDomain domain, int slot) {
        this.domain = domain;
        this.slot = slot;
    }

    @Override
    public void close() {
        if (state == OPEN) {
            domain.unpinPooled(slot);
        } else if (state == CLOSED) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' is already closed");
        }
        state = CLOSED;
    }

    @Override
    public void suspend() {
        if (state != OPEN) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' cannot be suspended: "
                    + (state == CLOSED ? "it is closed" : "it is already suspended"));
        }
        domain.unpinPooled(slot);
        state = SUSPENDED;
    }

    @Override
    public void resume() {
        if (state != SUSPENDED) {
            throw new IllegalStateException("guard of epoch domain '" + domain.name + "' cannot resume: "
                    + (state == CLOSED ? "it is closed" : "it is not suspended"));
        }
        slot = domain.pinPooledSlot();
        state = OPEN;
    }

    @Override
    public boolean isPinned() {
        return state == OPEN;
    }

    @Override
    public EpochDomain domain() {
        return domain;
    }

    @Override
    public String toString() {
        return "Guard[" + domain.name + ", slot " + slot + ", "
                + (state == OPEN ? "pinned" : state == SUSPENDED ? "suspended" : "closed") + "]";
    }
}
