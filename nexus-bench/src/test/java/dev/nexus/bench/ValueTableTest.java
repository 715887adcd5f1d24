package dev.nexus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ValueTableTest {

    /** Sum of the 8 words of a 64-byte value filled from {@code stamp}: stamp + offset each. */
    private static long sum(long stamp) {
        return 8 * stamp + (0 + 8 + 16 + 24 + 32 + 40 + 48 + 56);
    }

    /** Every contender reads the whole initial value, and the new value after a replace. */
    @ParameterizedTest
    @EnumSource(ValueTable.Kind.class)
    void readsWhatWasWritten(ValueTable.Kind kind) {
        ValueTable table = ValueTable.create(kind, 16, 64);
        ValueTable.Reader reader = table.participantReader();
        try {
            assertThat(table.read(reader, 5)).isEqualTo(sum(5));
            table.replace(5, 1000);
            assertThat(table.read(reader, 5)).isEqualTo(sum(1000));
            assertThat(table.read(reader, 6)).isEqualTo(sum(6));
            assertThat(table.pendingBytes()).isGreaterThanOrEqualTo(0);
        } finally {
            reader.close();
            table.close();
        }
    }

    /** A batch read returns the sum of the single reads of its keys, repeated keys included, for every contender. */
    @ParameterizedTest
    @EnumSource(ValueTable.Kind.class)
    void batchReadSumsItsKeys(ValueTable.Kind kind) {
        ValueTable table = ValueTable.create(kind, 16, 64);
        ValueTable.Reader reader = table.participantReader();
        try {
            table.replace(9, 500);
            int[] keys = {0, 9, 15, 9, 3};
            assertThat(table.readBatch(reader, keys)).isEqualTo(sum(0) + 2 * sum(500) + sum(15) + sum(3));
            assertThat(table.readBatch(reader, new int[0])).isZero();
        } finally {
            reader.close();
            table.close();
        }
    }

    /** Blocking reads keep or give up their protection around the block, then read again. */
    @ParameterizedTest
    @EnumSource(value = ValueTable.Kind.class, names = {"NEXUS_TREE", "NEXUS_TREE_CAS", "NEXUS_FLAT", "REFCOUNT"})
    void blockingReadsLookTheKeyUpAgain(ValueTable.Kind kind) {
        ValueTable table = ValueTable.create(kind, 16, 64);
        ValueTable.Reader reader = table.pooledReader();
        AtomicInteger blocked = new AtomicInteger();
        try {
            for (boolean suspend : new boolean[] {false, true}) {
                long sum = table.readBlocking(reader, 3, suspend, () -> {
                    blocked.incrementAndGet();
                    table.replace(3, 77); // the writer runs while the reader blocks
                });
                // epoch readers look the key up again either way (safe while pinned); a counted reader
                // that holds its reference reads the value it holds
                boolean sameValue = kind == ValueTable.Kind.REFCOUNT && !suspend;
                assertThat(sum).isEqualTo(sum(3) + (sameValue ? sum(3) : sum(77)));
                table.replace(3, 3);
            }
            assertThat(blocked).hasValue(2);
        } finally {
            reader.close();
            table.close();
        }
    }

    /** Only epoch domains and reference counts have blocking reads. */
    @Test
    void otherContendersHaveNoBlockingRead() {
        for (ValueTable.Kind kind : EnumSet.of(ValueTable.Kind.LEAKY, ValueTable.Kind.RWLOCK,
                ValueTable.Kind.ARENA_PER_VALUE)) {
            ValueTable table = ValueTable.create(kind, 16, 64);
            try {
                assertThatThrownBy(() -> table.readBlocking(table.pooledReader(), 0, true, () -> { }))
                        .isInstanceOf(UnsupportedOperationException.class);
            } finally {
                table.close();
            }
        }
    }

    /** A leaky table counts every replaced value as pending until it is closed. */
    @Test
    void leakyCountsPendingBytes() {
        ValueTable table = ValueTable.create(ValueTable.Kind.LEAKY, 16, 64);
        table.replace(1, 10);
        table.replace(2, 20);
        assertThat(table.pendingBytes()).isEqualTo(128);
        table.close();
    }

    /** Key spaces must be powers of two and values multiples of 8 bytes. */
    @Test
    void rejectsBadShapes() {
        assertThatThrownBy(() -> ValueTable.create(ValueTable.Kind.LEAKY, 1000, 64))
                .hasMessageContaining("power of two: keys=1000");
        assertThatThrownBy(() -> ValueTable.create(ValueTable.Kind.LEAKY, 16, 60))
                .hasMessageContaining("multiple of 8: valueBytes=60");
    }
}
