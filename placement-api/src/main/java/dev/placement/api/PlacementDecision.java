package dev.placement.api;

/**
 * An agent's answer: the placement to run, why, and what it is expected to achieve. It carries its own
 * prediction, so that nothing downstream predicts the same placement again. When the decision was made is
 * the orchestrator's business (its clock stamps the journal), not the agent's.
 *
 * @param placement  the placement to run
 * @param agent      the agent that decided, for example {@code "solver"}
 * @param rationale  the reasons in plain words; not blank
 * @param predicted  the predicted metrics of the placement on the request's links, or {@code null} if the
 *                   agent has no performance model (the orchestrator then predicts it)
 * @param proposal   what an advisory agent proposed, or {@code null} when no such agent took part
 */
public record PlacementDecision(
        Placement placement,
        String agent,
        String rationale,
        PipelineMetrics predicted,
        AgentProposal proposal) {

    /**
     * Validates the required fields.
     *
     * @param placement the placement to run; not null
     * @param agent     the agent that decided, for example {@code "solver"}; not blank
     * @param rationale the reasons in plain words; not blank
     * @param predicted the predicted metrics of the placement, or {@code null} if the agent has no performance
     *                  model
     * @param proposal  what an advisory agent proposed, or {@code null} when no such agent took part
     */
    public PlacementDecision {
        Checks.notNull(placement, "decision.placement");
        Checks.notBlank(agent, "decision.agent");
        Checks.notBlank(rationale, "decision.rationale");
    }
}
