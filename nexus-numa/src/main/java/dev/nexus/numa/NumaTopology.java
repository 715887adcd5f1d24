package dev.nexus.numa;

import dev.nexus.numa.internal.JnaBinding;
import dev.nexus.numa.internal.NumaBinding;
import dev.nexus.numa.internal.SysfsTopology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The NUMA nodes of this machine and what this process may use of them: a snapshot taken by
 * {@link #current()}. libnuma is asked first ({@code numa_node_to_cpus}, {@code numa_distance},
 * {@code numa_node_size64}, {@code numa_get_mems_allowed}); {@code /sys/devices/system/node} and
 * {@code /proc/self/status} answer what libnuma does not (and everything when libnuma is missing).
 *
 * <p>{@link #isNuma()} is true when node placement means something here: libnuma is loaded,
 * {@code numa_available()} is non-negative, and this process may use more than one node. Otherwise
 * {@link #whyNot()} says which of these failed; the allocators then still work, see
 * {@link NumaAllocator}.
 *
 * <p>Immutable and thread-safe, except {@link #currentNode()} and {@link #currentCpu()}, which ask
 * the kernel each time. Memory figures are those of the moment of the snapshot.
 */
public final class NumaTopology {

    /** The distance of a node to itself, as ACPI SLIT tables and the kernel define it. */
    public static final int LOCAL_DISTANCE = 10;

    private final NumaBinding binding;
    private final boolean libnuma;
    private final boolean canBind;
    private final String whyNot;
    private final List<Integer> nodes;
    private final List<Integer> allowedNodes;
    private final List<Integer> allowedCpus;
    private final Map<Integer, List<Integer>> cpus;
    private final Map<Integer, Integer> nodeOfCpu;
    private final int[][] distance;
    private final long[][] memory;

    private NumaTopology(NumaBinding binding, SysfsTopology sys) {
        this.binding = binding;
        String libnumaProblem = binding.libnumaProblem();
        this.libnuma = libnumaProblem == null;
        boolean available = libnuma && binding.numaAvailable() >= 0;
        this.canBind = available;

        int[] nodeIds = sys.nodes();
        if (nodeIds.length == 0 && available) {
            nodeIds = IntStream.rangeClosed(0, binding.maxPossibleNode())
                    .filter(n -> binding.nodeMemory(n) != null).toArray();
        }
        if (nodeIds.length == 0) {
            nodeIds = new int[] {0};
        }
        this.nodes = boxed(nodeIds);

        int[] cpusAllowed = sys.cpusAllowed();
        if (cpusAllowed == null) {
            cpusAllowed = binding.affinity();
        }
        Map<Integer, List<Integer>> cpuMap = new LinkedHashMap<>();
        Map<Integer, Integer> cpuNode = new LinkedHashMap<>();
        for (int node : nodeIds) {
            int[] list = available ? binding.nodeCpus(node) : null;
            if (list == null) {
                list = sys.cpus().get(node);
            }
            if (list == null && nodeIds.length == 1) {
                list = cpusAllowed != null ? cpusAllowed
                        : IntStream.range(0, Runtime.getRuntime().availableProcessors()).toArray();
            }
            cpuMap.put(node, boxed(list == null ? new int[0] : list));
            for (int cpu : list == null ? new int[0] : list) {
                cpuNode.put(cpu, node);
            }
        }
        this.cpus = Map.copyOf(cpuMap);
        this.nodeOfCpu = Map.copyOf(cpuNode);
        this.allowedCpus = boxed(cpusAllowed != null ? cpusAllowed
                : cpuNode.keySet().stream().mapToInt(Integer::intValue).sorted().toArray());

        int[] mems = available ? binding.memsAllowed() : null;
        if (mems == null) {
            mems = sys.memsAllowed();
        }
        List<Integer> allowed = new ArrayList<>();
        for (int node : nodeIds) {
            if (mems == null || Arrays.stream(mems).anyMatch(m -> m == node)) {
                allowed.add(node);
            }
        }
        this.allowedNodes = List.copyOf(allowed);

        int count = nodeIds.length;
        this.distance = new int[count][count];
        this.memory = new long[count][];
        for (int i = 0; i < count; i++) {
            int[] row = sys.distances().get(nodeIds[i]);
            for (int j = 0; j < count; j++) {
                int d = available ? binding.distance(nodeIds[i], nodeIds[j]) : 0;
                if (d <= 0 && row != null && j < row.length) {
                    d = row[j];
                }
                if (d <= 0 && i == j) {
                    d = LOCAL_DISTANCE;
                }
                distance[i][j] = d;
            }
            long[] mem = available ? binding.nodeMemory(nodeIds[i]) : null;
            if (mem == null) {
                mem = sys.memory().get(nodeIds[i]);
            }
            memory[i] = mem == null ? new long[] {-1, -1} : mem.clone();
        }

        if (!libnuma) {
            this.whyNot = libnumaProblem;
        } else if (!available) {
            this.whyNot = "numa_available() returned -1: this kernel has no NUMA support (get_mempolicy fails)";
        } else if (allowedNodes.size() < 2) {
            this.whyNot = "one node: this process may use node " + allowedNodes + " only (the machine has "
                    + nodes.size() + (nodes.size() == 1 ? " node)" : " nodes)");
        } else {
            this.whyNot = null;
        }
    }

    /**
     * Reads the topology of this machine now.
     *
     * @return a snapshot
     */
    public static NumaTopology current() {
        return read(JnaBinding.INSTANCE, Path.of("/"));
    }

    /** The topology that {@code binding} and the files below {@code root} describe (tests). */
    static NumaTopology read(NumaBinding binding, Path root) {
        return new NumaTopology(binding, SysfsTopology.read(root));
    }

    /**
     * Whether node placement is usable: libnuma loaded, {@code numa_available() >= 0}, and more than
     * one node allowed for this process.
     *
     * @return true on a NUMA machine
     */
    public boolean isNuma() {
        return whyNot == null;
    }

    /**
     * Why {@link #isNuma()} is false: libnuma missing (with the package to install),
     * {@code numa_available() < 0}, or a single allowed node.
     *
     * @return the reason, empty when {@code isNuma()}
     */
    public Optional<String> whyNot() {
        return Optional.ofNullable(whyNot);
    }

    /**
     * Whether libnuma is loaded.
     *
     * @return true if libnuma could be loaded
     */
    public boolean hasLibnuma() {
        return libnuma;
    }

    /** Whether memory policies can be asked for at all (libnuma loaded and the kernel has NUMA). */
    boolean canBind() {
        return canBind;
    }

    NumaBinding binding() {
        return binding;
    }

    /**
     * The machine's online nodes, ascending, whether or not this process may use them.
     *
     * @return node numbers, at least one
     */
    public List<Integer> nodes() {
        return nodes;
    }

    /**
     * The nodes this process may allocate on: its cpuset's {@code mems_allowed}, ascending.
     *
     * @return node numbers, a subset of {@link #nodes()}
     */
    public List<Integer> allowedNodes() {
        return allowedNodes;
    }

    /**
     * Whether this process may allocate on {@code node}.
     *
     * @param node a node number
     * @return true if {@code node} is in {@link #allowedNodes()}
     */
    public boolean isAllowed(int node) {
        return allowedNodes.contains(node);
    }

    /**
     * The CPUs this process may run on (its cpuset's {@code Cpus_allowed_list}), ascending.
     *
     * @return CPU numbers
     */
    public List<Integer> allowedCpus() {
        return allowedCpus;
    }

    /**
     * The CPUs of a node, ascending, whether or not this process may use them (a node may have none).
     *
     * @param node a node of {@link #nodes()}
     * @return CPU numbers
     * @throws IllegalArgumentException if {@code node} is not a node of this machine
     */
    public List<Integer> cpus(int node) {
        return cpus.get(check(node));
    }

    /**
     * The CPUs of a node that this process may run on.
     *
     * @param node a node of {@link #nodes()}
     * @return {@code cpus(node)} restricted to {@link #allowedCpus()}
     * @throws IllegalArgumentException if {@code node} is not a node of this machine
     */
    public List<Integer> allowedCpus(int node) {
        return cpus(node).stream().filter(allowedCpus::contains).toList();
    }

    /**
     * The node a CPU belongs to.
     *
     * @param cpu a CPU number
     * @return its node, or -1 if no node lists it
     */
    public int nodeOfCpu(int cpu) {
        Integer node = nodeOfCpu.get(cpu);
        if (node != null) {
            return node;
        }
        return libnuma && canBind && cpu >= 0 ? binding.nodeOfCpu(cpu) : -1;
    }

    /**
     * The relative distance from node {@code a} to node {@code b} (the ACPI SLIT value: 10 for a node
     * to itself, larger is farther).
     *
     * @param a a node of {@link #nodes()}
     * @param b a node of {@link #nodes()}
     * @return the distance, or 0 if neither libnuma nor {@code /sys} says
     * @throws IllegalArgumentException if {@code a} or {@code b} is not a node of this machine
     */
    public int distance(int a, int b) {
        return distance[index(a)][index(b)];
    }

    /**
     * The memory of a node.
     *
     * @param node a node of {@link #nodes()}
     * @return bytes, or -1 if unknown
     * @throws IllegalArgumentException if {@code node} is not a node of this machine
     */
    public long memoryTotal(int node) {
        return memory[index(node)][0];
    }

    /**
     * The free memory of a node when this snapshot was taken.
     *
     * @param node a node of {@link #nodes()}
     * @return bytes, or -1 if unknown
     * @throws IllegalArgumentException if {@code node} is not a node of this machine
     */
    public long memoryFree(int node) {
        return memory[index(node)][1];
    }

    /**
     * The CPU the calling thread runs on now ({@code sched_getcpu}); it may change at once unless the
     * thread is bound ({@link NumaThreads}).
     *
     * @return a CPU number, or -1 if unknown
     */
    public int currentCpu() {
        return binding.currentCpu();
    }

    /**
     * The node the calling thread runs on now: the node of {@link #currentCpu()}.
     *
     * @return a node number, or -1 if unknown
     */
    public int currentNode() {
        return nodeOfCpu(currentCpu());
    }

    private int check(int node) {
        index(node);
        return node;
    }

    private int index(int node) {
        int i = nodes.indexOf(node);
        if (i < 0) {
            throw new IllegalArgumentException("no such node on this machine: node=" + node + ", nodes="
                    + nodes);
        }
        return i;
    }

    private static List<Integer> boxed(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("NumaTopology[nodes=").append(nodes)
                .append(", allowedNodes=").append(allowedNodes)
                .append(", allowedCpus=").append(allowedCpus.size())
                .append(", numa=").append(isNuma());
        if (whyNot != null) {
            out.append(" (").append(whyNot).append(')');
        }
        return out.append(']').toString();
    }
}
