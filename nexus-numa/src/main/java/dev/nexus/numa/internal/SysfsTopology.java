package dev.nexus.numa.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code /sys/devices/system/node} and {@code /proc/self/status} say about the machine, read
 * below a root directory ({@code /} for this machine; a test fixture directory in tests). Files that
 * do not exist read as "unknown" (empty maps, null arrays); a file that exists but cannot be parsed
 * is an error, as it means the reader is wrong.
 *
 * @param nodes the online nodes ({@code node/online}, else the {@code nodeN} directories), ascending
 * @param cpus CPUs per node ({@code nodeN/cpulist})
 * @param distances distance rows per node ({@code nodeN/distance}), in the order of {@code nodes}
 * @param memory {total, free} bytes per node ({@code nodeN/meminfo})
 * @param memsAllowed {@code Mems_allowed_list} of {@code proc/self/status}, or null
 * @param cpusAllowed {@code Cpus_allowed_list} of {@code proc/self/status}, or null
 */
public record SysfsTopology(int[] nodes, Map<Integer, int[]> cpus, Map<Integer, int[]> distances,
        Map<Integer, long[]> memory, int[] memsAllowed, int[] cpusAllowed) {

    private static final Pattern NODE_DIR = Pattern.compile("node(\\d+)");
    private static final Pattern MEMINFO = Pattern.compile("Node\\s+\\d+\\s+(\\w+):\\s+(\\d+)\\s*kB");

    /**
     * Reads the files below {@code root}.
     *
     * @param root the file-system root: the reader opens {@code root/sys/devices/system/node/...}
     *     and {@code root/proc/self/status}
     * @return what the files say
     * @throws UncheckedIOException if a file exists but cannot be read
     * @throws IllegalArgumentException if a file exists but is not in the kernel's format
     */
    public static SysfsTopology read(Path root) {
        Path nodeDir = root.resolve("sys/devices/system/node");
        String online = readOrNull(nodeDir.resolve("online"));
        int[] nodes = online != null ? CpuList.parse(online) : nodeDirectories(nodeDir);
        Map<Integer, int[]> cpus = new LinkedHashMap<>();
        Map<Integer, int[]> distances = new LinkedHashMap<>();
        Map<Integer, long[]> memory = new LinkedHashMap<>();
        for (int node : nodes) {
            Path dir = nodeDir.resolve("node" + node);
            String cpulist = readOrNull(dir.resolve("cpulist"));
            if (cpulist != null) {
                cpus.put(node, CpuList.parse(cpulist));
            }
            String distance = readOrNull(dir.resolve("distance"));
            if (distance != null) {
                distances.put(node, parseDistances(distance, node));
            }
            String meminfo = readOrNull(dir.resolve("meminfo"));
            if (meminfo != null) {
                memory.put(node, parseMeminfo(meminfo, node));
            }
        }
        int[] memsAllowed = null;
        int[] cpusAllowed = null;
        String status = readOrNull(root.resolve("proc/self/status"));
        if (status != null) {
            for (String line : status.split("\n")) {
                if (line.startsWith("Mems_allowed_list:")) {
                    memsAllowed = CpuList.parse(line.substring("Mems_allowed_list:".length()));
                } else if (line.startsWith("Cpus_allowed_list:")) {
                    cpusAllowed = CpuList.parse(line.substring("Cpus_allowed_list:".length()));
                }
            }
        }
        return new SysfsTopology(nodes, Map.copyOf(cpus), Map.copyOf(distances), Map.copyOf(memory),
                memsAllowed, cpusAllowed);
    }

    private static int[] nodeDirectories(Path nodeDir) {
        if (!Files.isDirectory(nodeDir)) {
            return new int[0];
        }
        try (var entries = Files.list(nodeDir)) {
            return entries.map(p -> NODE_DIR.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .sorted()
                    .toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + nodeDir, e);
        }
    }

    private static int[] parseDistances(String text, int node) {
        String[] words = text.strip().split("\\s+");
        int[] row = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            try {
                row[i] = Integer.parseInt(words[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("node" + node + "/distance is not a row of numbers: '"
                        + text.strip() + "'");
            }
        }
        return row;
    }

    private static long[] parseMeminfo(String text, int node) {
        long total = -1;
        long free = -1;
        for (String line : text.split("\n")) {
            Matcher m = MEMINFO.matcher(line.strip());
            if (m.matches()) {
                switch (m.group(1)) {
                    case "MemTotal" -> total = Long.parseLong(m.group(2)) * 1024;
                    case "MemFree" -> free = Long.parseLong(m.group(2)) * 1024;
                    default -> { }
                }
            }
        }
        if (total < 0 || free < 0) {
            throw new IllegalArgumentException("node" + node + "/meminfo has no 'Node " + node
                    + " MemTotal:' and 'MemFree:' lines in kB");
        }
        return new long[] {total, free};
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
