/**
 * The values and service interfaces of Placement.
 *
 * <p>Everything here is an immutable record, validated when it is constructed (with the built-in
 * {@link dev.placement.api.GpuCatalog} of such values), or a small interface that another module implements:
 * {@link dev.placement.api.ClusterInventory}, {@link dev.placement.api.LatencyProbe},
 * {@link dev.placement.api.PlacementAgent}, {@link dev.placement.api.PipelineLauncher},
 * {@link dev.placement.api.MetricsSource}, {@link dev.placement.api.MetricsPredictor},
 * {@link dev.placement.api.PlacementHistory}, {@link dev.placement.api.LlmClient} and
 * {@link dev.placement.api.CommandRunner}. Nothing here computes a placement; that lives in
 * {@code placement-core}. The one check of a placement against a request is
 * {@link dev.placement.api.PlacementRequest#problemsWith}.
 *
 * <p>Units are in the names: {@code rttMillis}, {@code memoryBytes}, {@code bandwidthBytesPerSecond}.
 * Invalid values are rejected with an {@link java.lang.IllegalArgumentException} whose message names the
 * field, the value, and what would be valid.
 */
package dev.placement.api;
