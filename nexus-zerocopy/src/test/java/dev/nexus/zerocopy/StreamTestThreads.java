package dev.nexus.zerocopy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Thread hygiene for the stream tests (after JSR166TestCase; as nexus-slab's TestThreads, with virtual
 * threads): failures in spawned threads fail the test, every thread is joined, and every timeout derives
 * from one scalable constant ({@link TestSupport#LONG}, {@code -Dnexus.test.timeoutFactor=N}). A thread
 * still alive at the deadline fails the test with a dump of all threads (the watchdog).
 */
final class StreamTestThreads implements AutoCloseable {

    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** Starts a platform thread running {@code body}; its failure is recorded. */
    Thread platform(String name, ThrowingRunnable body) {
        return start(Thread.ofPlatform().name(name), body);
    }

    /** Starts a virtual thread running {@code body}; its failure is recorded. */
    Thread virtual(String name, ThrowingRunnable body) {
        return start(Thread.ofVirtual().name(name), body);
    }

    private Thread start(Thread.Builder builder, ThrowingRunnable body) {
        Thread thread = builder.unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        synchronized (threads) {
            threads.add(thread);
        }
        thread.start();
        return thread;
    }

    /** Whether any thread failed so far (lets loops stop early). */
    boolean anyFailed() {
        return !failures.isEmpty();
    }

    /** Joins every thread (failing on timeout with a thread dump) and rethrows the first failure. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TestSupport.LONG.toNanos();
        List<Thread> all;
        synchronized (threads) {
            all = new ArrayList<>(threads);
        }
        for (Thread thread : all) {
            long left = deadline - System.nanoTime();
            boolean finished;
            try {
                finished = left > 0 && thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while joining " + thread, e);
            }
            if (!finished) {
                throw new AssertionError("thread did not finish within " + TestSupport.LONG + ": " + thread + "\n"
                        + dump());
            }
        }
        Throwable first = failures.peek();
        if (first != null) {
            AssertionError error = new AssertionError("a test thread failed: " + first, first);
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    private static String dump() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            dump.append(t).append('\n');
            for (StackTraceElement e : stack) {
                dump.append("    at ").append(e).append('\n');
            }
        });
        return dump.toString();
    }

    /** A body that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        /** Runs. */
        void run() throws Exception;
    }
}
