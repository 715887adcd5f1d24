package dev.nexus.epoch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Thread hygiene for tests (after JSR166TestCase): failures in spawned threads fail the test, every
 * thread is joined, and every timeout derives from one scalable constant
 * ({@code -Dnexus.test.timeoutFactor=N}). A thread still alive at the deadline fails the test with
 * a dump of all threads.
 */
final class TestThreads implements AutoCloseable {

    /** Multiplier for every timeout in the tests: raise it on slow machines. */
    static final int TIMEOUT_FACTOR = Integer.getInteger("nexus.test.timeoutFactor", 1);

    /** The base timeout: long enough for any single wait in these tests on a loaded 2-core machine. */
    static final Duration LONG = Duration.ofSeconds(60L * TIMEOUT_FACTOR);

    /** A bound for waits that must end promptly (a hang shows as this timeout, not as LONG). */
    static final Duration SHORT = LONG.dividedBy(12);

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

    /** Joins every thread (failing on timeout) and rethrows the first failure of any of them. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + LONG.toNanos();
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
                StringBuilder dump = new StringBuilder("thread did not finish in time: " + thread + "\n");
                Thread.getAllStackTraces().forEach((t, stack) -> {
                    dump.append(t).append('\n');
                    for (StackTraceElement e : stack) {
                        dump.append("    at ").append(e).append('\n');
                    }
                });
                throw new AssertionError(dump.toString());
            }
        }
        Throwable first = failures.peek();
        if (first != null) {
            AssertionError error = new AssertionError("a test thread failed: " + first, first);
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    /** A body that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        /** Runs. */
        void run() throws Exception;
    }
}
