package dev.nexus.zerocopy.internal.arrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A child JVM for {@link CDataCallbacksTest}: with {@code broken}, calls through native code a release
 * callback that lets its exception escape (what {@link CDataCallbacks} must never do), which kills this
 * JVM; with {@code ours}, calls our release with a state that throws, and exits normally with 0.
 */
public final class BrokenUpcallChild {

    private BrokenUpcallChild() {
    }

    /** A release callback without the catch: the broken variant. */
    private static void brokenRelease(MemorySegment array) {
        throw new IllegalStateException("internal error inside a release callback without a catch (broken variant)");
    }

    /**
     * Runs one variant.
     *
     * @param args {@code broken} or {@code ours}
     * @throws Throwable if the native call fails in a way the JVM survives
     */
    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor release = FunctionDescriptor.ofVoid(ValueLayout.ADDRESS);
        MethodHandle call = linker.downcallHandle(release);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
            MemorySegment fn;
            if (args[0].equals("broken")) {
                MethodHandle target = MethodHandles.lookup().findStatic(BrokenUpcallChild.class, "brokenRelease",
                        MethodType.methodType(void.class, MemorySegment.class));
                fn = linker.upcallStub(target, release, arena);
            } else {
                long id = PrivateData.register((CDataCallbacks.ReleaseTarget) struct -> {
                    throw new IllegalStateException("internal error inside our release (test)");
                });
                CDataLayout.setWord(array, CDataLayout.ARRAY_PRIVATE_DATA, id);
                fn = CDataCallbacks.RELEASE_ARRAY;
            }
            call.invokeExact(fn, array);
        }
        System.out.println("survived");
    }
}
