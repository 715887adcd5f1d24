package dev.nexus.zerocopy.internal.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nexus.zerocopy.ColumnBatch;
import dev.nexus.zerocopy.ColumnType;
import dev.nexus.zerocopy.Field;
import dev.nexus.zerocopy.Schema;
import dev.nexus.zerocopy.arrow.ArrowExport;
import dev.nexus.zerocopy.arrow.ArrowTestSupport;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Our upcalls called through real native calls: an error inside a callback is caught (the JVM
 * lives), counted and reported; releases are idempotent; a stream's errors become errno + message.
 */
class CDataCallbacksTest {

    private static final MethodHandle CALL_RELEASE =
            Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    private static final Schema ONE_LONG = Schema.of(Field.of("x", ColumnType.INT64, false));

    /**
     * A release whose state throws (an internal error) returns normally through the native call: the
     * error is counted and kept, the struct is marked released, and a second release does nothing.
     */
    @Test
    void anErrorInsideAReleaseIsCaught() throws Throwable {
        AtomicInteger calls = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("internal error inside release (test)");
        long id = PrivateData.register((CDataCallbacks.ReleaseTarget) struct -> {
            calls.incrementAndGet();
            throw boom;
        });
        try (Arena arena = Arena.ofShared()) {
            MemorySegment array = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
            CDataLayout.setWord(array, CDataLayout.ARRAY_PRIVATE_DATA, id);
            CDataLayout.setWord(array, CDataLayout.ARRAY_RELEASE, CDataCallbacks.RELEASE_ARRAY.address());
            long failures = CDataCallbacks.failures();

            CALL_RELEASE.invokeExact(CDataCallbacks.RELEASE_ARRAY, array); // an escaping exception would kill the JVM

            assertThat(calls).hasValue(1);
            assertThat(CDataCallbacks.failures()).isEqualTo(failures + 1);
            assertThat(CDataCallbacks.lastFailure()).isSameAs(boom);
            assertThat(CDataLayout.word(array, CDataLayout.ARRAY_RELEASE)).as("marked released").isZero();

            CALL_RELEASE.invokeExact(CDataCallbacks.RELEASE_ARRAY, array); // a consumer holding the raw pointer
            assertThat(calls).as("the second release finds no state").hasValue(1);
            assertThat(CDataCallbacks.failures()).isEqualTo(failures + 1);
        }
    }

    /**
     * The hazard is real: in a child JVM, a release callback that lets its exception escape kills the
     * JVM (the broken variant), while ours, with the same internal error, returns and the JVM lives.
     */
    @Test
    void anEscapingExceptionWouldKillTheJvm() throws Exception {
        Child broken = child("broken");
        assertThat(broken.exit()).as("the broken variant's JVM dies").isNotZero();
        assertThat(broken.output()).contains("Unrecoverable uncaught exception").doesNotContain("survived");
        Child ours = child("ours");
        assertThat(ours.exit()).as(ours.output()).isZero();
        assertThat(ours.output()).contains("survived");
    }

    private record Child(int exit, String output) {
    }

    private static Child child(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path log = Files.createTempFile("nexus-broken-upcall-" + mode, ".log");
        try {
            Process process = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), BrokenUpcallChild.class.getName(), mode)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(ArrowTestSupport.LONG.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child JVM '" + mode + "' did not end within " + ArrowTestSupport.LONG);
            }
            return new Child(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A release with a struct whose private_data is not ours (or 0) does nothing but mark it released. */
    @Test
    void aForeignPrivateDataIsIgnored() throws Throwable {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment schema = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
            CDataLayout.setWord(schema, CDataLayout.SCHEMA_RELEASE, CDataCallbacks.RELEASE_SCHEMA.address());
            long failures = CDataCallbacks.failures();
            CALL_RELEASE.invokeExact(CDataCallbacks.RELEASE_SCHEMA, schema);
            assertThat(CDataLayout.word(schema, CDataLayout.SCHEMA_RELEASE)).isZero();
            assertThat(CDataCallbacks.failures()).isEqualTo(failures);
        }
    }

    /**
     * An iterator that throws makes {@code get_next} return EIO, and {@code get_last_error} says what
     * happened; after the release, {@code get_next} returns EINVAL and the iterator is closed.
     */
    @Test
    void streamErrorsBecomeErrnoAndMessage() {
        AtomicInteger closed = new AtomicInteger();
        class Failing implements Iterator<ColumnBatch>, AutoCloseable {
            @Override
            public boolean hasNext() {
                throw new IllegalStateException("source went away (test)");
            }

            @Override
            public ColumnBatch next() {
                throw new AssertionError("not reached");
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment stream = arena.allocate(CDataLayout.STREAM_BYTES, 8);
            MemorySegment out = arena.allocate(CDataLayout.ARRAY_BYTES, 8);
            ArrowExport.exportStream(ONE_LONG, new Failing(), stream);
            long getNext = CDataLayout.word(stream, CDataLayout.STREAM_GET_NEXT);
            long lastError = CDataLayout.word(stream, CDataLayout.STREAM_GET_LAST_ERROR);

            assertThat(ProducerCalls.get(getNext, stream, out)).isEqualTo(CDataCallbacks.EIO);
            assertThat(ProducerCalls.lastError(lastError, stream))
                    .contains("IllegalStateException").contains("source went away (test)");

            MemorySegment schema = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
            assertThat(ProducerCalls.get(CDataLayout.word(stream, CDataLayout.STREAM_GET_SCHEMA), stream, schema))
                    .isZero();
            assertThat(SchemaImporter.parse(schema)).isEqualTo(ONE_LONG);
            ProducerCalls.release(schema, CDataLayout.SCHEMA_RELEASE);

            MemorySegment copy = arena.allocate(CDataLayout.STREAM_BYTES, 8);
            MemorySegment.copy(stream, 0, copy, 0, CDataLayout.STREAM_BYTES); // a consumer keeps a stale copy
            ProducerCalls.release(stream, CDataLayout.STREAM_RELEASE);
            assertThat(closed).hasValue(1);
            assertThat(ProducerCalls.get(getNext, copy, out)).isEqualTo(CDataCallbacks.EINVAL);
            ProducerCalls.release(copy, CDataLayout.STREAM_RELEASE); // idempotent
            assertThat(closed).hasValue(1);
        }
    }

    /**
     * A consumer that moves a child out of an exported schema and releases it after the root: the
     * export's memory stays until that last release, and each node is released once.
     */
    @Test
    void aMovedChildOutlivesItsParent() {
        Schema schema = Schema.of(Field.of("a", ColumnType.INT32, true), Field.list("b", ColumnType.FLOAT64, false));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment root = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
            long released = ArrowCounters.snapshot()[3];
            ArrowExport.exportSchema(schema, root);
            MemorySegment children = CDataLayout.at(CDataLayout.word(root, CDataLayout.SCHEMA_CHILDREN), 16);
            MemorySegment child = CDataLayout.at(CDataLayout.pointerAt(children, 1), CDataLayout.SCHEMA_BYTES);
            MemorySegment moved = arena.allocate(CDataLayout.SCHEMA_BYTES, 8);
            MemorySegment.copy(child, 0, moved, 0, CDataLayout.SCHEMA_BYTES);
            CDataLayout.setWord(child, CDataLayout.SCHEMA_RELEASE, CDataLayout.NULL); // the move

            ProducerCalls.release(root, CDataLayout.SCHEMA_RELEASE);
            assertThat(ArrowCounters.snapshot()[3]).as("not all released while the moved child lives")
                    .isEqualTo(released);
            assertThat(CDataLayout.string(CDataLayout.word(moved, CDataLayout.SCHEMA_NAME))).isEqualTo("b");

            ProducerCalls.release(moved, CDataLayout.SCHEMA_RELEASE);
            assertThat(ArrowCounters.snapshot()[3]).isEqualTo(released + 1);
        }
    }
}
