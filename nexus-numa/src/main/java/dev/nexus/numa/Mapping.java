package dev.nexus.numa;

/**
 * One anonymous mapping made by {@link NodeMapper}: what {@code munmap} needs (base, length) and
 * what the caller got (an aligned address and the size asked for).
 *
 * @param base the address {@code mmap} returned
 * @param length the length passed to {@code mmap}, and so to {@code munmap}
 * @param address the aligned address handed out, in {@code [base, base + length)}
 * @param bytes the size asked for, {@code address + bytes <= base + length}
 */
record Mapping(long base, long length, long address, long bytes) {
}
