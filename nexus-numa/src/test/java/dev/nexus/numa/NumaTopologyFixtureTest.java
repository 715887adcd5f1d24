package dev.nexus.numa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The topology read from {@code /sys} trees of 2-, 4- and 8-node machines kept as fixtures. */
class NumaTopologyFixtureTest {

    private static NumaTopology sysOnly(String machine) {
        return NumaTopology.read(new FakeNumaBinding(), Fixtures.root(machine));
    }

    private static NumaTopology withLibnuma(String machine) {
        return NumaTopology.read(new FakeNumaBinding().withLibnuma(), Fixtures.root(machine));
    }

    private static List<Integer> range(int from, int toInclusive) {
        return IntStream.rangeClosed(from, toInclusive).boxed().toList();
    }

    /** Two nodes: split cpulists (0-3,8-11), the distance table, meminfo in kB turned into bytes. */
    @Test
    void twoNodes() {
        NumaTopology t = withLibnuma("two-node");
        assertThat(t.nodes()).containsExactly(0, 1);
        assertThat(t.allowedNodes()).containsExactly(0, 1);
        assertThat(t.cpus(0)).containsExactly(0, 1, 2, 3, 8, 9, 10, 11);
        assertThat(t.cpus(1)).containsExactly(4, 5, 6, 7, 12, 13, 14, 15);
        assertThat(t.allowedCpus()).isEqualTo(range(0, 15));
        assertThat(t.distance(0, 0)).isEqualTo(10);
        assertThat(t.distance(0, 1)).isEqualTo(21);
        assertThat(t.distance(1, 0)).isEqualTo(21);
        assertThat(t.memoryTotal(0)).isEqualTo(32817604L * 1024);
        assertThat(t.memoryFree(1)).isEqualTo(31999000L * 1024);
        assertThat(t.nodeOfCpu(9)).isEqualTo(0);
        assertThat(t.nodeOfCpu(12)).isEqualTo(1);
        assertThat(t.isNuma()).isTrue();
        assertThat(t.whyNot()).isEmpty();
    }

    /** Four nodes, one of them without CPUs: its cpulist is empty, its memory and distances are read. */
    @Test
    void fourNodesWithCpuLessNode() {
        NumaTopology t = withLibnuma("four-node");
        assertThat(t.nodes()).containsExactly(0, 1, 2, 3);
        assertThat(t.cpus(2)).containsExactly(8, 9, 10, 11, 20, 21, 22, 23);
        assertThat(t.cpus(3)).isEmpty();
        assertThat(t.memoryTotal(3)).isEqualTo(64000000L * 1024);
        assertThat(t.distance(0, 3)).isEqualTo(22);
        assertThat(t.distance(3, 1)).isEqualTo(16);
        assertThat(t.distance(2, 2)).isEqualTo(NumaTopology.LOCAL_DISTANCE);
        assertThat(t.nodeOfCpu(23)).isEqualTo(2);
        assertThat(t.nodeOfCpu(24)).isEqualTo(-1);
    }

    /** Eight nodes in two sockets: the whole distance matrix is symmetric and as the files say. */
    @Test
    void eightNodes() {
        NumaTopology t = withLibnuma("eight-node");
        assertThat(t.nodes()).isEqualTo(range(0, 7));
        assertThat(t.allowedCpus()).isEqualTo(range(0, 63));
        for (int a = 0; a < 8; a++) {
            assertThat(t.cpus(a)).hasSize(8).contains(4 * a, 32 + 4 * a + 3);
            for (int b = 0; b < 8; b++) {
                int expected = a == b ? 10 : a / 4 == b / 4 ? 12 : 32;
                assertThat(t.distance(a, b)).as("distance(%d, %d)", a, b).isEqualTo(expected);
            }
        }
        assertThat(t.isNuma()).isTrue();
    }

    /** A cpuset allowing nodes 2-3 and part of their CPUs: the machine still has 8 nodes, the process may use 2. */
    @Test
    void cpusetAllowsPartOfTheMachine() {
        NumaTopology t = withLibnuma("eight-node-cpuset");
        assertThat(t.nodes()).isEqualTo(range(0, 7));
        assertThat(t.allowedNodes()).containsExactly(2, 3);
        assertThat(t.isAllowed(2)).isTrue();
        assertThat(t.isAllowed(0)).isFalse();
        assertThat(t.allowedCpus()).containsExactly(8, 9, 10, 11, 12, 13, 40, 41, 42, 43);
        assertThat(t.cpus(3)).containsExactly(12, 13, 14, 15, 44, 45, 46, 47);
        assertThat(t.allowedCpus(3)).containsExactly(12, 13);
        assertThat(t.allowedCpus(0)).isEmpty();
        assertThat(t.isNuma()).isTrue();
    }

    /** Without libnuma the same files give the same topology, but isNuma() is false and says why. */
    @Test
    void withoutLibnumaTheFilesStillAnswer() {
        NumaTopology t = sysOnly("four-node");
        assertThat(t.nodes()).containsExactly(0, 1, 2, 3);
        assertThat(t.distance(1, 2)).isEqualTo(22);
        assertThat(t.hasLibnuma()).isFalse();
        assertThat(t.isNuma()).isFalse();
        assertThat(t.whyNot()).hasValueSatisfying(why -> assertThat(why).contains("libnuma not found"));
    }

    /** numa_available() < 0: not NUMA, and the reason names the call. */
    @Test
    void numaUnavailable() {
        NumaTopology t = NumaTopology.read(new FakeNumaBinding().withNumaUnavailable(), Fixtures.root("two-node"));
        assertThat(t.isNuma()).isFalse();
        assertThat(t.whyNot()).hasValueSatisfying(why -> assertThat(why).contains("numa_available() returned -1"));
    }

    /** libnuma's answers come first: numa_node_size64 wins over nodeN/meminfo. */
    @Test
    void libnumaFirst() {
        FakeNumaBinding binding = new FakeNumaBinding().withLibnuma().withNodeMemory(1, 1234 * 4096L, 56 * 4096L);
        NumaTopology t = NumaTopology.read(binding, Fixtures.root("two-node"));
        assertThat(t.memoryTotal(1)).isEqualTo(1234 * 4096L);
        assertThat(t.memoryFree(1)).isEqualTo(56 * 4096L);
        assertThat(t.memoryTotal(0)).isEqualTo(32817604L * 1024); // libnuma did not say: /sys did
    }

    /** A node that is not on the machine is an IllegalArgumentException naming the nodes. */
    @Test
    void unknownNodeRejected() {
        NumaTopology t = sysOnly("two-node");
        assertThatThrownBy(() -> t.cpus(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node=5").hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> t.distance(0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The current node is the node of the CPU the kernel says the thread runs on. */
    @Test
    void currentNodeFollowsTheCpu() {
        FakeNumaBinding binding = new FakeNumaBinding().withLibnuma();
        NumaTopology t = NumaTopology.read(binding, Fixtures.root("four-node"));
        binding.currentCpu = 21;
        assertThat(t.currentCpu()).isEqualTo(21);
        assertThat(t.currentNode()).isEqualTo(2);
        binding.currentCpu = 5;
        assertThat(t.currentNode()).isEqualTo(1);
    }
}
