/**
 * The Arrow C Data Interface of {@code nexus-zerocopy}, written with FFM: exports of
 * {@link dev.nexus.zerocopy.ColumnBatch}es into a consumer's {@code ArrowArray}/{@code ArrowSchema}
 * structs and imports of a producer's structs as read-only batches.
 */
package dev.nexus.zerocopy.arrow;
