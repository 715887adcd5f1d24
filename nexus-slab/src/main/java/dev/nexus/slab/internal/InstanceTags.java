package dev.nexus.slab.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out the {@value KeyCodec#TAG_BITS}-bit instance tags of open slabs, process-wide, so that
 * open slabs carry distinct tags while at most {@value KeyCodec#TAGS} are open, and a tag freed by a
 * closed slab is reused as late as possible (the search starts after the last tag handed out).
 * Beyond {@value KeyCodec#TAGS} open slabs tags are shared: a key of another slab is then rejected
 * by its tag only when the tags differ, and otherwise by the per-instance salt of the generation
 * (see {@link KeyCodec}). Lock-free: one CAS on one word.
 */
public final class InstanceTags {

    /** Set in a handle whose tag is shared (not owned, not released). */
    public static final int SHARED = 1 << 8;

    /** Bit {@code t} set while tag {@code t} is owned by an open slab. */
    private static final AtomicInteger OWNED = new AtomicInteger();
    /** Where the next search starts: one past the last tag handed out. */
    private static final AtomicInteger CURSOR = new AtomicInteger();

    static {
        assert KeyCodec.TAGS == Integer.SIZE : "one int holds the owned set";
    }

    private InstanceTags() {
    }

    /**
     * Takes a tag.
     *
     * @return a handle: the tag in the low bits, plus {@link #SHARED} if every tag was owned
     */
    public static int acquire() {
        while (true) {
            int owned = OWNED.get();
            int start = CURSOR.get() & (KeyCodec.TAGS - 1);
            if (owned == -1) { // all 32 owned: share, round robin
                return (CURSOR.getAndIncrement() & (KeyCodec.TAGS - 1)) | SHARED;
            }
            int free = ~owned;
            int rotated = Integer.rotateRight(free, start);
            int tag = (start + Integer.numberOfTrailingZeros(rotated)) & (KeyCodec.TAGS - 1);
            if (OWNED.compareAndSet(owned, owned | 1 << tag)) {
                CURSOR.set(tag + 1);
                return tag;
            }
        }
    }

    /**
     * The tag of a handle.
     *
     * @param handle a handle from {@link #acquire()}
     * @return the tag
     */
    public static int tag(int handle) {
        return handle & (KeyCodec.TAGS - 1);
    }

    /**
     * Returns a tag; a shared handle is ignored.
     *
     * @param handle a handle from {@link #acquire()}, released once
     */
    public static void release(int handle) {
        if ((handle & SHARED) == 0) {
            int bit = 1 << tag(handle);
            int before = OWNED.getAndUpdate(owned -> owned & ~bit);
            assert (before & bit) != 0 : "tag " + tag(handle) + " released twice";
        }
    }
}
