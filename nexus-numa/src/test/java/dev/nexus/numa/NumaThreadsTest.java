package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Binding platform threads to a node, refusing virtual threads. */
class NumaThreadsTest {

    /** A virtual thread is refused with an UnsupportedOperationException that says why. */
    @Test
    void virtualThreadRefused() throws Exception {
        FakeNumaBinding binding = new FakeNumaBinding().withLibnuma();
        NumaRuntime runtime = Fixtures.runtime(binding, "two-node");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread v = Thread.ofVirtual().start(() -> {
            try {
                NumaThreads.bindCurrentThread(runtime, 0);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        assertThat(v.join(Fixtures.TIMEOUT)).isTrue();
        assertThat(thrown.get()).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("virtual thread cannot be bound").hasMessageContaining("carrier");
        assertThat(binding.affinities).isEmpty();
    }

    /** The factory's threads are platform threads that bind to the node's allowed CPUs before the task. */
    @Test
    void factoryBindsToTheNodesAllowedCpus() throws Exception {
        FakeNumaBinding binding = new FakeNumaBinding().withLibnuma();
        NumaRuntime runtime = Fixtures.runtime(binding, "eight-node-cpuset");
        ThreadFactory factory = NumaThreads.factory(runtime, 3);
        CompletableFuture<Boolean> ran = new CompletableFuture<>();
        Thread t = factory.newThread(() -> ran.complete(!Thread.currentThread().isVirtual()));
        assertThat(t.getName()).isEqualTo("numa-node3-1");
        t.start();
        assertThat(ran.get(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(t.join(Fixtures.TIMEOUT)).isTrue();
        assertThat(binding.affinities).hasSize(1);
        assertThat(binding.affinities.getFirst()).containsExactly(12, 13);
        assertThatThrownBy(() -> NumaThreads.factory(runtime, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * sched_setaffinity refused: bindCurrentThread throws with errno and its meaning; a factory thread
     * runs its task unbound rather than not at all.
     */
    @Test
    void affinityRefused() throws Exception {
        FakeNumaBinding binding = new FakeNumaBinding().withLibnuma();
        binding.affinityErrno = 1;
        NumaRuntime runtime = Fixtures.runtime(binding, "two-node");
        assertThatThrownBy(() -> NumaThreads.bindCurrentThread(runtime, 1)).isInstanceOf(NumaException.class)
                .hasMessageContaining("sched_setaffinity(0, cpus of node 1)")
                .hasMessageContaining("errno=1 (Operation not permitted)");
        CompletableFuture<String> ran = new CompletableFuture<>();
        Thread t = NumaThreads.factory(runtime, 1).newThread(() -> ran.complete(Thread.currentThread().getName()));
        t.start();
        assertThat(ran.get(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("numa-node1-1");
        assertThat(t.join(Fixtures.TIMEOUT)).isTrue();
    }

    /** A node whose CPUs are all outside the cpuset (or that has none) cannot host a bound thread. */
    @Test
    void nodeWithoutAllowedCpusRejected() {
        NumaRuntime runtime = Fixtures.runtime(new FakeNumaBinding().withLibnuma(), "four-node");
        assertThatThrownBy(() -> NumaThreads.bindCurrentThread(runtime, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node 3 has no CPU");
    }

    /** On this machine, an executor's threads run on the node's CPUs (real sched_setaffinity). */
    @Test
    void executorRunsOnTheNode() throws Exception {
        NumaRuntime runtime = RealLibnuma.require();
        NumaTopology topology = runtime.topology();
        int node = topology.allowedNodes().getLast();
        ExecutorService executor = NumaThreads.executor(node, 2);
        try {
            Future<Integer> where = executor.submit(() -> NumaTopology.current().currentNode());
            assertThat(where.get(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(node);
            Future<int[]> affinity = executor.submit(() -> runtime.binding().affinity());
            assertThat(affinity.get(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .containsExactly(topology.allowedCpus(node).stream().mapToInt(Integer::intValue).toArray());
        } finally {
            executor.shutdown();
            assertThat(executor.awaitTermination(Fixtures.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(() -> NumaThreads.executor(node, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
