/**
 * Epoch-based reclamation of native memory: {@link dev.nexus.epoch.EpochDomain}, its
 * {@link dev.nexus.epoch.Guard}s and {@link dev.nexus.epoch.Participant}s, and the
 * {@link dev.nexus.epoch.NativeAllocator}s that free what is retired.
 *
 * <h2>Happens-before edges users may rely on</h2>
 * <ol>
 *   <li>Actions of a thread before it calls {@code retire(x, allocator)} happen-before
 *       {@code allocator.freeRetired(x)} (or {@code allocator.free(x)} under
 *       {@code detectDoubleRetire(false)}); actions before {@code defer(action)} happen-before
 *       {@code action.run()}.</li>
 *   <li>Accesses inside a guard happen-before the reclamation of anything retired (or deferred)
 *       after the guard opened. This is {@code NoReclaimWhilePinned}, the invariant the TLA+ model,
 *       the jcstress tests and the torture tests check under that name.</li>
 *   <li>A guard that opened after {@code retire(x)} returned cannot reach {@code x} if the caller
 *       unlinked {@code x} before retiring it: the unlink happens-before every pin that starts after
 *       {@code retire} returned.</li>
 *   <li>Everything before {@code synchronize()} returns... precisely: every guard open when
 *       {@code synchronize()} was called has closed before it returns, and the accesses inside those
 *       guards happen-before its return.</li>
 *   <li>Everything retired or deferred before {@code barrier()} (happening-before its call) has been
 *       freed or run, and those frees and actions happen-before its return.</li>
 *   <li>{@code close()} returns after every guard has closed and everything pending has been freed;
 *       those frees happen-before its return.</li>
 * </ol>
 *
 * <h2>What is not promised</h2>
 * <ul>
 *   <li>On the membarrier read side ({@link dev.nexus.epoch.ReadSide#MEMBARRIER}, the default
 *       where Linux supports it on x86-64), the edges above rest on two facts outside the Java
 *       memory model: the kernel's {@code membarrier(2)} contract, and HotSpot's compiling no load
 *       above an opaque store (see {@code docs/memory-model.md}). On another JVM (Graal, OpenJ9),
 *       build domains with {@link dev.nexus.epoch.ReadSide#CAS}, whose edges rest on the Java
 *       memory model alone.</li>
 *   <li>No ordering between two guards of different threads: a guard is not a lock.</li>
 *   <li>References loaded before {@link dev.nexus.epoch.Guard#suspend()} are not protected after it.</li>
 *   <li>Reads made after a pooled guard became unreachable without being closed are not protected:
 *       once a wait for a grace period has met it and a GC has cleared it, the domain releases its
 *       slot (the backstop that keeps one lost guard from stopping reclamation for good). Close
 *       every guard.</li>
 *   <li>No ordering is promised for which thread runs a free or a deferred action: the domain's
 *       reclaimer thread, or any thread that drives reclamation (inline reclamation,
 *       {@code synchronize()}, {@code barrier()}, {@code close()}, a retire blocked by the budget).</li>
 *   <li>A second retire of a segment, or a free by hand of a retired one, is refused only with an
 *       allocator that records its allocations ({@link dev.nexus.epoch.NativeAllocator#malloc()},
 *       {@link dev.nexus.epoch.NativeAllocator#checked()}) and with
 *       {@code detectDoubleRetire(true)}, the default; see
 *       {@link dev.nexus.epoch.NativeAllocator}.</li>
 *   <li>The garbage budget is enforced on sealed bags: bytes in partly filled bags are counted once
 *       sealed. A domain has one open bag per stripe (twice the processors, rounded up to a power of
 *       two), each sealed at 1 MiB without a budget: under 2 MiB per processor when the processor
 *       count is a power of two, under 4 MiB otherwise. With a budget, under a quarter of it (see
 *       {@link dev.nexus.epoch.EpochDomain.Builder#garbageBudget}).</li>
 * </ul>
 *
 * <p>The argument behind these edges, and the Java memory model reading of each access, are in
 * {@code docs/design.md} and {@code docs/memory-model.md}.
 */
package dev.nexus.epoch;
