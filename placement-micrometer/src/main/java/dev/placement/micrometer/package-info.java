/**
 * Micrometer metrics for Placement: {@link dev.placement.micrometer.PlacementMetrics} binds a
 * {@link dev.placement.core.orchestrator.PlacementOrchestrator}'s events and request gate to a
 * {@code MeterRegistry} (it is a Micrometer {@code MeterBinder}), and gives the
 * {@link dev.placement.llm.http.LlmCallListener} that times the LLM clients' calls;
 * {@link dev.placement.micrometer.PlacementMeters} names every meter.
 */
package dev.placement.micrometer;
