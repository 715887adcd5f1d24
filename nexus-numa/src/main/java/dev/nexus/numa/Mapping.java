package dev.nexus.numa;

/**
 * One anonymous mapping made by {@link NodeMapper}: what {@code munmap} needs (base, length), what the
 * caller got (an aligned address and the size asked for), and what a later request must match to
 * reuse it from a {@link MappingCache} (length, alignment, node).
 *
 * @param base the address {@code mmap} returned
 * @param length the length passed to {@code mmap}, and so to {@code munmap}
 * @param address the aligned address handed out, in {@code [base, base + length)}
 * @param bytes the size asked for, {@code address + bytes <= base + length}
 * @param alignment the alignment of {@code address}: the requested one, at least the page size
 * @param node the single node of the policy it is bound by, or -1 (several nodes)
 */
record Mapping(long base, long length, long address, long bytes, long alignment, int node) {

    /** The same mapping handed out again for {@code newBytes}. */
    Mapping reuse(long newBytes) {
        return new Mapping(base, length, address, newBytes, alignment, node);
    }
}
