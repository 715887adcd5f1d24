/**
 * One off-heap batch in the Arrow columnar layout, {@link dev.nexus.zerocopy.ColumnBatch}, described by
 * a {@link dev.nexus.zerocopy.Schema} of {@link dev.nexus.zerocopy.Field}s and
 * {@link dev.nexus.zerocopy.ColumnType}s, read in place, sliced without copying, and freed through an
 * {@link dev.nexus.epoch.EpochDomain} once it is closed and every hold on it is released.
 *
 * <h2>Happens-before edges users may rely on</h2>
 * <ol>
 *   <li>Actions before {@code build()} returns (every append, every bulk copy) happen-before every read
 *       of the batch by a thread that received it through a happens-before edge (safe publication).
 *       A built batch never changes afterwards.</li>
 *   <li>Reads of a batch inside a guard of its domain happen-before its memory is freed, if the batch
 *       was closed (or its last hold released) after the guard opened: the memory goes through
 *       {@code domain.retire} (imported memory through {@code domain.defer}), so this is
 *       {@code NoReclaimWhilePinned} of {@code dev.nexus.epoch}.</li>
 *   <li>Every release of a hold (a slice closed, an export released) and the batch's
 *       {@code close()} happen-before the memory is handed to the domain: they are ordered by one
 *       CAS-updated state word, and the last of them hands it over.</li>
 * </ol>
 *
 * <h2>What is not promised</h2>
 * <ul>
 *   <li>A reader that holds no guard and no hold may see the memory freed under it once the batch is
 *       closed: reads do not check whether the batch is closed (that is the point of the epoch
 *       domain: checks cost, guards do not).</li>
 *   <li>Builders are not thread-safe.</li>
 * </ul>
 *
 * <p>The layout of the one segment and the lifetime rules are described in {@code docs/zerocopy.md}.
 */
package dev.nexus.zerocopy;
