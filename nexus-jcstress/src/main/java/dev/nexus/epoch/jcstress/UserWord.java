package dev.nexus.epoch.jcstress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One word of user data that the epoch protocol protects: a shared link that a writer swings away
 * from an old object (the unlink), or a word of an object's payload that the allocator poisons when
 * it frees the object. The protocol words themselves live in {@code SharedRegion}; this is the data
 * around them, accessed the way user code would, with the mode each accessor names.
 *
 * <p>Not a protocol structure: each test states which mode it uses and why.
 */
final class UserWord {

    /** Link value before the writer's unlink: the reader can still reach the old object. */
    static final int OLD = 1;
    /** Link value after the unlink. */
    static final int NEW = 2;
    /** Payload value of a live object. */
    static final int LIVE = 1;
    /** Payload value after the object was freed: what the allocator's poison leaves. */
    static final int POISON = 2;

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    /** A word holding {@code initial}; the state constructor's plain write is published by jcstress. */
    UserWord(long initial) {
        this.value = initial;
    }

    /** Plain read: what {@code MemorySegment.get} does for a payload word. */
    int valuePlain() {
        return (int) (long) VALUE.get(this);
    }

    /** Volatile read: what {@code AtomicReference.get()} does for a link. */
    int valueVolatile() {
        return (int) (long) VALUE.getVolatile(this);
    }

    /** Acquire read: what {@code AtomicReferenceArray.getAcquire} does for a link (the benchmarks' readers). */
    int valueAcquire() {
        return (int) (long) VALUE.getAcquire(this);
    }

    /** Plain write: what a free's poison (or {@code MemorySegment.set}) does. */
    void setValuePlain(long v) {
        VALUE.set(this, v);
    }

    /** Release write: {@code AtomicReference.lazySet}/{@code setRelease}, the weakest publishing unlink. */
    void setValueRelease(long v) {
        VALUE.setRelease(this, v);
    }

    // VarHandle mechanics
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(UserWord.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
