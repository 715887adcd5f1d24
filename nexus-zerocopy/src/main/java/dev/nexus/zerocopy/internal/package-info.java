/**
 * Internals of {@code nexus-zerocopy}, not exported: the batch segment's layout
 * ({@link dev.nexus.zerocopy.internal.BatchLayout}), its writer and parser, the lifetime of a batch's
 * memory ({@link dev.nexus.zerocopy.internal.BatchLifetime}, {@link dev.nexus.zerocopy.internal.Hold})
 * and the bridge through which the module's other packages reach batches
 * ({@link dev.nexus.zerocopy.internal.BatchAccess}).
 */
package dev.nexus.zerocopy.internal;
