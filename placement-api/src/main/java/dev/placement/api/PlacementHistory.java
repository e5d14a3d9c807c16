package dev.placement.api;

import java.util.List;

/**
 * Where the LLM agent finds the placements that ran before and their measured metrics, for few-shot
 * prompting; an orchestrator's journal is the usual source. Implementations must be thread-safe if the agent
 * is shared between threads.
 */
@FunctionalInterface
public interface PlacementHistory {

    /**
     * @return the outcomes, oldest first; never null; the agent shows only the most recent few
     */
    List<PlacementOutcome> outcomes();

    /**
     * A fixed history.
     *
     * @param outcomes the outcomes, oldest first; copied
     * @return a history that always returns them
     */
    static PlacementHistory of(List<PlacementOutcome> outcomes) {
        List<PlacementOutcome> copy = List.copyOf(outcomes);
        return () -> copy;
    }

    /** @return a history with no outcomes */
    static PlacementHistory none() {
        return List::of;
    }
}
