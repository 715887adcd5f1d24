package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into a producer's callbacks: the {@code release} of an imported struct and the
 * {@code get_schema}/{@code get_next}/{@code get_last_error} of an imported stream. The function
 * pointer comes from the struct; the handles are bound per call.
 */
public final class ProducerCalls {

    private static final MethodHandle RELEASE;
    private static final MethodHandle GET;
    private static final MethodHandle LAST_ERROR;

    static {
        Linker linker = Linker.nativeLinker();
        RELEASE = linker.downcallHandle(FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
        GET = linker.downcallHandle(
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        LAST_ERROR = linker.downcallHandle(FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

    private ProducerCalls() {
    }

    /**
     * Calls a struct's release callback if it has one ({@code release} not NULL) and checks that the
     * producer marked it released, as the spec requires (if not, we do: the struct is never released
     * twice through us).
     *
     * @param struct the struct (ours, after a move, or the producer's)
     * @param releaseOffset where the struct keeps {@code release}
     */
    public static void release(MemorySegment struct, long releaseOffset) {
        long fn = CDataLayout.word(struct, releaseOffset);
        if (fn == CDataLayout.NULL) {
            return;
        }
        try {
            RELEASE.invokeExact(MemorySegment.ofAddress(fn), struct);
        } catch (Throwable t) {
            throw new IllegalStateException("the producer's release callback failed", t);
        } finally {
            CDataLayout.setWord(struct, releaseOffset, CDataLayout.NULL);
        }
    }

    /**
     * Calls a stream's {@code get_schema} or {@code get_next}.
     *
     * @param fn the function pointer
     * @param stream the stream struct
     * @param out the struct to fill
     * @return the errno the producer returned (0: success)
     */
    public static int get(long fn, MemorySegment stream, MemorySegment out) {
        try {
            return (int) GET.invokeExact(MemorySegment.ofAddress(fn), stream, out);
        } catch (Throwable t) {
            throw new IllegalStateException("a call into the producer's stream failed", t);
        }
    }

    /**
     * Calls a stream's {@code get_last_error}.
     *
     * @param fn the function pointer, may be NULL
     * @param stream the stream struct
     * @return the message, or {@code null} if there is none
     */
    public static String lastError(long fn, MemorySegment stream) {
        if (fn == CDataLayout.NULL) {
            return null;
        }
        try {
            MemorySegment message = (MemorySegment) LAST_ERROR.invokeExact(MemorySegment.ofAddress(fn), stream);
            return CDataLayout.string(message.address());
        } catch (Throwable t) {
            throw new IllegalStateException("the producer's get_last_error failed", t);
        }
    }
}
