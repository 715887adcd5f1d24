package dev.nexus.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * Platform threads that stay alive and parked, to show what a benchmark costs in a process with
 * many threads: closing a shared {@link java.lang.foreign.Arena} handshakes with every platform
 * thread, an epoch domain does not.
 */
final class IdleThreads implements AutoCloseable {

    private final Thread[] threads;
    private volatile boolean stopped;

    private IdleThreads(int count) {
        this.threads = new Thread[count];
    }

    /**
     * Starts {@code count} parked daemon threads and returns once all are running.
     *
     * @throws IllegalArgumentException if {@code count < 0}
     */
    static IdleThreads start(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("idle thread count must be >= 0: count=" + count);
        }
        IdleThreads idle = new IdleThreads(count);
        CountDownLatch started = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            idle.threads[i] = Thread.ofPlatform().daemon().name("idle-", i).start(() -> {
                started.countDown();
                while (!idle.stopped) {
                    LockSupport.park(idle);
                }
            });
        }
        awaitUninterruptibly(started);
        return idle;
    }

    /** Stops and joins every thread. */
    @Override
    public void close() {
        stopped = true;
        for (Thread thread : threads) {
            LockSupport.unpark(thread);
        }
        for (Thread thread : threads) {
            joinUninterruptibly(thread);
        }
    }

    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
