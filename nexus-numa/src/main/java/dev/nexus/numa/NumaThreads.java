package dev.nexus.numa;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Platform threads that run on one node's CPUs: {@link #bindCurrentThread(int)}, a
 * {@link #factory(int) ThreadFactory} and a fixed {@link #executor(int, int) executor} whose threads
 * bind themselves before they run anything. Binding is {@code sched_setaffinity} of the calling
 * thread to the node's CPUs that this process may use (what libnuma's {@code numa_run_on_node} does);
 * it needs the C library only, so it works without libnuma, with the CPUs {@code /sys} lists.
 *
 * <p><b>Virtual threads cannot be bound.</b> A virtual thread runs on whichever carrier thread of the
 * JDK's scheduler picks it up, and moves between carriers at every blocking point; the carriers are
 * not ours to bind. {@link #bindCurrentThread(int)} therefore refuses a virtual thread with an
 * {@link UnsupportedOperationException}, and the factory creates platform threads only. To keep
 * virtual threads near a node's memory, run the node's work on an executor of this class instead.
 *
 * <p>A bound thread stays bound for its life; binding moves no memory (memory is placed by a
 * {@link NumaAllocator}). Thread-safe.
 */
public final class NumaThreads {

    private static final System.Logger LOG = System.getLogger(NumaThreads.class.getName());

    private NumaThreads() {
    }

    /**
     * Restricts the calling platform thread to the CPUs of {@code node} that this process may use.
     *
     * @param node a node this process may use
     * @throws UnsupportedOperationException if the calling thread is virtual
     * @throws IllegalArgumentException if {@code node} is not allowed, or none of its CPUs is
     * @throws NumaException if {@code sched_setaffinity} fails (with errno and its meaning)
     */
    public static void bindCurrentThread(int node) {
        bindCurrentThread(NumaRuntime.system(), node);
    }

    static void bindCurrentThread(NumaRuntime runtime, int node) {
        if (Thread.currentThread().isVirtual()) {
            throw new UnsupportedOperationException("a virtual thread cannot be bound to a NUMA node (its carrier"
                    + " threads belong to the JDK's scheduler): thread=" + Thread.currentThread()
                    + ", node=" + node + "; run the work on NumaThreads.executor(node, n) instead");
        }
        int[] cpus = cpusOf(runtime, node);
        int errno = runtime.binding().setAffinity(cpus);
        if (errno != 0) {
            throw new NumaException("sched_setaffinity(0, cpus of node " + node + ")", errno,
                    runtime.binding().strerror(errno));
        }
    }

    /** The allowed CPUs of an allowed node, or an exception naming what is allowed. */
    static int[] cpusOf(NumaRuntime runtime, int node) {
        NumaTopology topology = runtime.topology();
        if (!topology.isAllowed(node)) {
            throw NumaAllocator.notAllowed(topology, node);
        }
        List<Integer> cpus = topology.allowedCpus(node);
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("node " + node + " has no CPU this process may run on: cpus of node="
                    + topology.cpus(node) + ", allowed CPUs=" + topology.allowedCpus());
        }
        return cpus.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A factory of platform threads that bind themselves to {@code node} (as
     * {@link #bindCurrentThread(int)}) before running their task. Threads are named
     * {@code numa-node<node>-<n>} and are daemons. Should binding fail in the new thread (an OS
     * refusal, {@code errno} logged as a warning through {@link System.Logger}), the task runs
     * unbound rather than not at all.
     *
     * @param node a node this process may use
     * @return the factory
     * @throws IllegalArgumentException if {@code node} is not allowed, or none of its CPUs is
     */
    public static ThreadFactory factory(int node) {
        return factory(NumaRuntime.system(), node);
    }

    static ThreadFactory factory(NumaRuntime runtime, int node) {
        cpusOf(runtime, node); // validates now, not in the new thread
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Objects.requireNonNull(task, "task");
            Thread thread = Thread.ofPlatform().daemon().name("numa-node" + node + "-" + count.incrementAndGet())
                    .unstarted(() -> {
                        try {
                            bindCurrentThread(runtime, node);
                        } catch (NumaException e) {
                            LOG.log(System.Logger.Level.WARNING, "thread " + Thread.currentThread().getName()
                                    + " runs unbound: " + e.getMessage());
                        }
                        task.run();
                    });
            return thread;
        };
    }

    /**
     * A fixed pool of {@code threads} platform threads bound to {@code node}
     * ({@link Executors#newFixedThreadPool(int, ThreadFactory)} with {@link #factory(int)}). The
     * caller shuts it down.
     *
     * @param node a node this process may use
     * @param threads the number of threads, {@code >= 1}
     * @return the executor
     * @throws IllegalArgumentException if {@code threads < 1}, {@code node} is not allowed, or none of
     *     its CPUs is
     */
    public static ExecutorService executor(int node, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: threads=" + threads);
        }
        return Executors.newFixedThreadPool(threads, factory(node));
    }
}
