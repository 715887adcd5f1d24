package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Checks of the struct segments passed to the public entry points. */
public final class StructArgs {

    private StructArgs() {
    }

    /**
     * Checks a struct argument and views it as exactly {@code bytes} bytes. A zero-length native segment
     * (what {@code MemorySegment.ofAddress(address)} gives, e.g. for an address from Arrow Java's
     * {@code memoryAddress()}) is taken as the address of a struct of that size.
     *
     * @param struct the argument
     * @param bytes the struct's size
     * @param name the struct's C name, for messages
     * @return the struct's segment, {@code bytes} long, global scope if it was zero-length
     * @throws NullPointerException if {@code struct} is null
     * @throws IllegalArgumentException if it is on the heap, NULL, or neither zero-length nor at least
     *     {@code bytes} long
     */
    public static MemorySegment struct(MemorySegment struct, long bytes, String name) {
        Objects.requireNonNull(struct, name);
        if (!struct.isNative()) {
            throw new IllegalArgumentException("an " + name + " must be native memory (the consumer's or producer's"
                    + " C struct): got a heap segment " + struct);
        }
        if (struct.address() == CDataLayout.NULL) {
            throw new IllegalArgumentException("an " + name + " must not be at address NULL");
        }
        if (struct.byteSize() == 0) {
            return MemorySegment.ofAddress(struct.address()).reinterpret(bytes);
        }
        if (struct.byteSize() < bytes) {
            throw new IllegalArgumentException("an " + name + " is " + bytes + " bytes: got a segment of "
                    + struct.byteSize() + " bytes");
        }
        return struct.asSlice(0, bytes);
    }

    /**
     * Refuses to overwrite a struct that still holds one of our live exports (its {@code release} is our
     * callback and its id is registered): that export would leak.
     *
     * @param struct the target struct
     * @param releaseOffset where its {@code release} is
     * @param privateDataOffset where its {@code private_data} is
     * @param callback our release callback for this kind of struct
     * @param name the struct's C name
     * @throws IllegalArgumentException if the struct holds a live export of ours
     */
    public static void checkNotLive(MemorySegment struct, long releaseOffset, long privateDataOffset,
                                    MemorySegment callback, String name) {
        if (CDataLayout.word(struct, releaseOffset) == callback.address()
                && PrivateData.peek(CDataLayout.word(struct, privateDataOffset)) != null) {
            throw new IllegalArgumentException("the " + name + " at 0x" + Long.toHexString(struct.address())
                    + " holds a live Nexus export (release it first, or pass a fresh struct)");
        }
    }
}
