package dev.placement.api;

/**
 * What an advisory agent (an LLM) proposed, and whether it was applied; kept on a
 * {@link PlacementDecision} so that the journal shows every proposal, good or bad.
 *
 * @param agent     the proposing agent, for example {@code "openai"}
 * @param model     the LLM model that answered, or {@code null}
 * @param placement the proposed placement, or {@code null} if the answer was not a valid placement
 * @param accepted  whether the proposal was applied
 * @param reason    why it was accepted or rejected, in plain words
 */
public record AgentProposal(String agent, String model, Placement placement, boolean accepted, String reason) {

    /**
     * Validates that the agent and reason are given.
     *
     * @param agent     the proposing agent, for example {@code "openai"}; not blank
     * @param model     the LLM model that answered, or {@code null}
     * @param placement the proposed placement, or {@code null} if the answer was not a valid placement
     * @param accepted  whether the proposal was applied
     * @param reason    why it was accepted or rejected, in plain words; not blank
     */
    public AgentProposal {
        Checks.notBlank(agent, "proposal.agent");
        Checks.notBlank(reason, "proposal.reason");
    }
}
