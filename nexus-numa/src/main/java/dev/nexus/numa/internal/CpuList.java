package dev.nexus.numa.internal;

import java.util.Arrays;

/**
 * The kernel's list format for CPUs and nodes, as in {@code /sys/devices/system/node/online},
 * {@code node0/cpulist} and the {@code *_allowed_list} lines of {@code /proc/self/status}:
 * comma-separated numbers and ranges, {@code "0-3,8-11"}; a range may carry a stride,
 * {@code "0-7:2"}; the empty list is an empty (or blank) string.
 */
public final class CpuList {

    /** Larger members are rejected rather than allocated for: far above any kernel's limit. */
    static final int MAX_MEMBER = 1 << 20;

    private CpuList() {
    }

    /**
     * Parses a list.
     *
     * @param text the list, surrounding white space ignored
     * @return the members, ascending, without duplicates
     * @throws IllegalArgumentException if {@code text} is not in the list format
     */
    public static int[] parse(String text) {
        String list = text.strip();
        if (list.isEmpty()) {
            return new int[0];
        }
        int[] members = new int[16];
        int n = 0;
        for (String part : list.split(",")) {
            int dash = part.indexOf('-');
            int colon = part.indexOf(':');
            int from;
            int to;
            int stride = 1;
            try {
                if (dash < 0) {
                    from = to = Integer.parseInt(part.strip());
                } else {
                    from = Integer.parseInt(part.substring(0, dash).strip());
                    to = Integer.parseInt(part.substring(dash + 1, colon < 0 ? part.length() : colon).strip());
                    if (colon >= 0) {
                        stride = Integer.parseInt(part.substring(colon + 1).strip());
                    }
                }
            } catch (NumberFormatException e) {
                throw bad(text, "'" + part + "' is not a number or a range");
            }
            if (from < 0 || to < from || to > MAX_MEMBER || stride <= 0) {
                throw bad(text, "'" + part + "' is not a range a to b with 0 <= a <= b <= " + MAX_MEMBER);
            }
            for (int m = from; m <= to; m += stride) {
                if (n == members.length) {
                    members = Arrays.copyOf(members, n * 2);
                }
                members[n++] = m;
            }
        }
        return Arrays.stream(members, 0, n).sorted().distinct().toArray();
    }

    /**
     * Formats members in the kernel's list format, ranges collapsed: {@code [0,1,2,3,8]} is
     * {@code "0-3,8"}.
     *
     * @param members ascending, distinct
     * @return the list
     */
    public static String format(int[] members) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < members.length; ) {
            int j = i;
            while (j + 1 < members.length && members[j + 1] == members[j] + 1) {
                j++;
            }
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(members[i]);
            if (j > i) {
                out.append('-').append(members[j]);
            }
            i = j + 1;
        }
        return out.toString();
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("not a CPU or node list (" + why + "): '" + text.strip() + "'");
    }
}
