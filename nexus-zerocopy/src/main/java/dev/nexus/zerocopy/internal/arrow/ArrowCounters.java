package dev.nexus.zerocopy.internal.arrow;

import dev.nexus.zerocopy.HoldInfo;
import dev.nexus.zerocopy.internal.Hold;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Process-wide counters of the C Data paths, and the array exports a consumer has not released yet
 * (with the site of each, from its {@link Hold}). Updated from any thread (release callbacks run on the
 * consumer's threads); each counter is read on its own, a snapshot is not atomic across them.
 */
public final class ArrowCounters {

    private static final LongAdder ARRAYS_EXPORTED = new LongAdder();
    private static final LongAdder ARRAYS_RELEASED = new LongAdder();
    private static final LongAdder SCHEMAS_EXPORTED = new LongAdder();
    private static final LongAdder SCHEMAS_RELEASED = new LongAdder();
    private static final LongAdder STREAMS_EXPORTED = new LongAdder();
    private static final LongAdder STREAMS_RELEASED = new LongAdder();
    private static final LongAdder BATCHES_IMPORTED = new LongAdder();
    private static final LongAdder IMPORTS_RELEASED = new LongAdder();
    /** Open array exports: the hold and when it was taken ({@code System.nanoTime}). */
    private static final Map<Hold, Long> OPEN = new ConcurrentHashMap<>();

    private ArrowCounters() {
    }

    static void arrayExported(Hold hold) {
        OPEN.put(hold, System.nanoTime());
        ARRAYS_EXPORTED.increment();
    }

    static void arrayReleased(Hold hold) {
        OPEN.remove(hold);
        ARRAYS_RELEASED.increment();
    }

    static void schemaExported() {
        SCHEMAS_EXPORTED.increment();
    }

    static void schemaReleased() {
        SCHEMAS_RELEASED.increment();
    }

    static void streamExported() {
        STREAMS_EXPORTED.increment();
    }

    static void streamReleased() {
        STREAMS_RELEASED.increment();
    }

    static void batchImported() {
        BATCHES_IMPORTED.increment();
    }

    static void importReleased() {
        IMPORTS_RELEASED.increment();
    }

    /**
     * The counters, in the order of {@code ArrowStats}' components.
     *
     * @return arrays exported, arrays released, schemas exported, schemas released, streams exported,
     *     streams released, batches imported, imports released to their producer, callback failures
     */
    public static long[] snapshot() {
        return new long[] {
            ARRAYS_EXPORTED.sum(), ARRAYS_RELEASED.sum(), SCHEMAS_EXPORTED.sum(), SCHEMAS_RELEASED.sum(),
            STREAMS_EXPORTED.sum(), STREAMS_RELEASED.sum(), BATCHES_IMPORTED.sum(), IMPORTS_RELEASED.sum(),
            CDataCallbacks.failures(),
        };
    }

    /**
     * The array exports not released by their consumer yet, oldest first.
     *
     * @return kind, site and age of each
     */
    public static List<HoldInfo> openExports() {
        long now = System.nanoTime();
        List<Map.Entry<Hold, Long>> entries = new ArrayList<>(OPEN.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        List<HoldInfo> out = new ArrayList<>(entries.size());
        for (Map.Entry<Hold, Long> e : entries) {
            out.add(new HoldInfo(e.getKey().kind(), e.getKey().site(), Duration.ofNanos(now - e.getValue())));
        }
        return out;
    }
}
