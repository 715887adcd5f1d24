/**
 * Internals of {@code CsrGraph}: the sibling segment's layout ({@code CsrLayout}) and the two ways of
 * building the offsets ({@code CsrBuild}). Not exported.
 */
package dev.nexus.zerocopy.internal.graph;
