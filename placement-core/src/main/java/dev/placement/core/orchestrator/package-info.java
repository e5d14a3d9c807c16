/**
 * The observe → decide → reconfigure loop: {@link dev.placement.core.orchestrator.PlacementOrchestrator}, the
 * {@link dev.placement.core.orchestrator.RequestGate} requests pass through while the pipeline restarts, the
 * typed {@link dev.placement.core.orchestrator.OrchestratorEvent}s it emits, and the
 * {@link dev.placement.core.orchestrator.DecisionJournal} that records every decision as JSON lines and feeds
 * the LLM agent's history. Time comes from an injected {@link java.time.Clock}, so the loop is tested (and
 * simulated) without waiting.
 */
package dev.placement.core.orchestrator;
