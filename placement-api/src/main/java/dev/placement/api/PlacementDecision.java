package dev.placement.api;

import java.time.Instant;

/**
 * An agent's answer: the placement to run, why, and what it is expected to achieve.
 *
 * @param placement  the placement to run
 * @param agent      the agent that decided, for example {@code "solver"}
 * @param rationale  the reasons in plain words; not blank
 * @param predicted  the predicted metrics of the placement, or {@code null} if the agent has no model
 * @param decidedAt  when the decision was made
 * @param proposal   what an advisory agent proposed, or {@code null} when no such agent took part
 */
public record PlacementDecision(
        Placement placement,
        String agent,
        String rationale,
        PipelineMetrics predicted,
        Instant decidedAt,
        AgentProposal proposal) {

    /** Validates the required fields. */
    public PlacementDecision {
        Checks.notNull(placement, "decision.placement");
        Checks.notBlank(agent, "decision.agent");
        Checks.notBlank(rationale, "decision.rationale");
        Checks.notNull(decidedAt, "decision.decidedAt");
    }
}
