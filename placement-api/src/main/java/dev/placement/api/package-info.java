/**
 * The values and service interfaces of Placement.
 *
 * <p>Everything here is either an immutable record, validated when it is constructed, or a small interface
 * that another module implements: {@link dev.placement.api.LatencyProbe}, {@link dev.placement.api.ClusterInventory},
 * {@link dev.placement.api.PlacementAgent}, {@link dev.placement.api.PipelineLauncher},
 * {@link dev.placement.api.MetricsSource} and {@link dev.placement.api.LlmClient}. Nothing here computes a
 * placement; that lives in {@code placement-core}.
 *
 * <p>Units are in the names: {@code rttMillis}, {@code memoryBytes}, {@code bandwidthBytesPerSecond}.
 * Invalid values are rejected with an {@link java.lang.IllegalArgumentException} whose message names the
 * field, the value, and what would be valid.
 */
package dev.placement.api;
