/**
 * Internals of {@code BatchStream}: the linked list of appended batches ({@code StreamNode}), the
 * cursors and their watermark ({@code CursorSet}), and event-time reads ({@code EventTime}). Not
 * exported.
 */
package dev.nexus.zerocopy.internal.stream;
