/**
 * A generational slab of fixed-size off-heap slots, {@link dev.nexus.slab.Slab}, whose removed slots
 * are reused only after a grace period of an {@link dev.nexus.epoch.EpochDomain}; reservations for
 * self-referencing records, {@link dev.nexus.slab.VacantEntry}; and what a slab was granted,
 * {@link dev.nexus.slab.SlabReport}.
 *
 * <h2>Happens-before edges users may rely on</h2>
 * <ol>
 *   <li>Actions in the {@code init} of {@code insert(init)}, and actions before
 *       {@code VacantEntry.commit()}, happen-before every {@code get(key)} on any thread that returns
 *       the record's segment, and every {@code contains(key)} that returns true (a release store of
 *       the slot's state word paired with acquire loads).</li>
 *   <li>Accesses to a slot's segment inside a guard of the slab's domain happen-before the slot is
 *       reused by a later insert or reserve, if the key was removed after the guard opened. This is
 *       {@code NoReclaimWhilePinned} of {@code dev.nexus.epoch}, applied to slots: removal defers the
 *       slot's recycling with {@code domain.defer}.</li>
 *   <li>{@code remove(key)} is linearizable: once it returned true, every {@code get(key)} that
 *       starts afterwards returns {@code null}, every {@code contains(key)} false, every
 *       {@code remove(key)} false, forever (generations only grow and never wrap: a slot whose
 *       generation is used up is retired).</li>
 *   <li>With {@code poisonOnRecycle}, the poison written into a recycled slot happens-before the
 *       {@code init} or {@code VacantEntry} that next receives the slot.</li>
 *   <li>{@code close()} returns after every guard that was open when it started has closed and every
 *       pending slot was recycled; slab memory is freed after that.</li>
 * </ol>
 *
 * <h2>What is not promised</h2>
 * <ul>
 *   <li>A segment obtained by {@code get} is not protected after its guard closes: the slot may be
 *       reused as soon as the key is removed and a grace period passes.</li>
 *   <li>No ordering between writers of different records: a slab is not a lock. Two threads writing
 *       the same live record must coordinate themselves.</li>
 *   <li>{@code size()} and the report are racy sums while other threads insert or remove.</li>
 *   <li>A key of another slab is rejected for certain only while at most 32 slabs are open (distinct
 *       instance tags); beyond that, with probability 1 - 2^-32 per lookup.</li>
 * </ul>
 *
 * <p>FFM downcalls ({@code madvise}, {@code mlock}) need native access for this module:
 * {@code --enable-native-access=dev.nexus.slab}, or {@code ALL-UNNAMED} on the class path.
 */
package dev.nexus.slab;
