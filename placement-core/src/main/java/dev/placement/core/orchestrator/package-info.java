/**
 * The observe → decide → reconfigure loop: {@link dev.placement.core.orchestrator.PlacementOrchestrator}
 * (built by {@link dev.placement.core.orchestrator.PlacementOrchestratorBuilder}), the
 * {@link dev.placement.core.orchestrator.RequestGate} requests pass through while the pipeline restarts, the
 * typed {@link dev.placement.core.orchestrator.OrchestratorEvent}s it emits (to listeners, each a
 * {@link dev.placement.core.orchestrator.Subscription}), what each tick did
 * ({@link dev.placement.core.orchestrator.TickOutcome}), the health view a health endpoint polls
 * ({@link dev.placement.core.orchestrator.OrchestratorHealth}), and the
 * {@link dev.placement.core.orchestrator.DecisionJournal} that records every decision as JSON lines and feeds
 * the LLM agent's history.
 *
 * <p>Inside, one tick reads as its steps, each in a package-private type named for it: the settings
 * ({@code LoopSettings}, validated once) and the plug-ins ({@code LoopParts}); the loop's state in one object
 * ({@code LoopState}); {@code Observer}; {@code TriggerRules}; the pure {@code ReconfigurationPolicy};
 * {@code Switchover}; and {@code Loop}, which runs them in order. Time comes from an injected
 * {@link java.time.Clock}, so the loop is tested (and simulated) without waiting.
 */
package dev.placement.core.orchestrator;
