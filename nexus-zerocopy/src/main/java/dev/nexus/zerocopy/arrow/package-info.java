/**
 * The Arrow C Data Interface of {@code nexus-zerocopy}, written with FFM: exports of
 * {@link dev.nexus.zerocopy.ColumnBatch}es into a consumer's {@code ArrowArray}/{@code ArrowSchema}
 * structs and {@code ArrowArrayStream}s ({@link dev.nexus.zerocopy.arrow.ArrowExport}), and imports of
 * a producer's structs as read-only batches over its memory
 * ({@link dev.nexus.zerocopy.arrow.ArrowImport}, {@link dev.nexus.zerocopy.arrow.ImportedStream}).
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>Exports are zero-copy: the consumer's structs point into {@code batch.segment()}; the one copy
 *       is a re-based bitmap for a slice whose first row is not a multiple of 8.</li>
 *   <li>The consumer releases each root struct once; our releases are idempotent, mark the struct
 *       released, and find their state through {@code private_data} (consumers move structs).</li>
 *   <li>Callbacks run on any thread (DuckDB's workers) and never throw: an error is counted in
 *       {@link dev.nexus.zerocopy.arrow.ArrowStats#callbackFailures()}, logged, and for a stream
 *       returned as an errno with a message for {@code get_last_error}.</li>
 *   <li>An import takes the producer's structs on every outcome (past the argument checks) and
 *       releases each exactly once: the schema during the call, the array after the batch is closed
 *       and a grace period of its domain passed (or before the exception, if the import fails).</li>
 * </ul>
 *
 * <h2>Happens-before edges</h2>
 * <ol>
 *   <li>Actions of the exporting thread before an export happen-before every callback on the
 *       exported structs (the state is published through a concurrent map before the consumer's
 *       struct is filled).</li>
 *   <li>The consumer's release of an exported array happens-before the batch's memory is handed to
 *       the epoch domain (it releases the export's hold; see {@link dev.nexus.zerocopy}).</li>
 *   <li>Reads of an imported batch inside a guard of its domain happen-before the producer's release
 *       callback runs, if the batch was closed after the guard opened (the release runs through
 *       {@code domain.defer}).</li>
 * </ol>
 *
 * <p>The rules in full: {@code docs/zerocopy.md}, section "Arrow C Data Interface".
 */
package dev.nexus.zerocopy.arrow;
