package dev.placement.core.llm;

import dev.placement.api.PlacementOutcome;
import dev.placement.api.PlacementRequest;
import dev.placement.core.Prediction;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Everything a {@link PromptTemplate} may put into a prompt: the request, each node's memory budget in layers,
 * the placements that ran before (few-shot history) and the performance model's predictions for a few
 * candidates. Immutable.
 *
 * @param request    the model, cluster, links, objective and workload; not null
 * @param budgets    each node's memory budget in layers, by node id; copied
 * @param crossingMillis per ordered pair of nodes with a known link, the time in ms one token's activations take
 *                   to cross it once (latency and transfer, as the performance model counts it); copied
 * @param history    placements that ran, with measured metrics, oldest first; empty when none; copied
 * @param candidates predictions for a few candidate placements; empty when disabled; copied
 */
public record PromptContext(PlacementRequest request, Map<String, LayerBudget> budgets,
        Map<String, Map<String, Double>> crossingMillis, List<PlacementOutcome> history,
        List<CandidatePrediction> candidates) {

    /**
     * Validates that the request is given and copies the collections.
     *
     * @param request        the model, cluster, links, objective and workload; not null
     * @param budgets        each node's memory budget in layers, by node id; null means none
     * @param crossingMillis per ordered pair of nodes, {@code from -> to -> ms} one token's activations take to
     *                       cross the link once; null means none
     * @param history        placements that ran, with measured metrics, oldest first; null means none
     * @param candidates     predictions for a few candidate placements; null means none
     */
    public PromptContext {
        Objects.requireNonNull(request, "context.request must not be null");
        budgets = Map.copyOf(budgets == null ? Map.of() : budgets);
        Map<String, Map<String, Double>> links = new java.util.HashMap<>();
        (crossingMillis == null ? Map.<String, Map<String, Double>>of() : crossingMillis)
                .forEach((from, row) -> links.put(from, Map.copyOf(row)));
        crossingMillis = Map.copyOf(links);
        history = List.copyOf(history == null ? List.of() : history);
        candidates = List.copyOf(candidates == null ? List.of() : candidates);
    }

    /**
     * How many layers a node's GPU can hold, by its place in the pipeline: the first stage also holds the
     * input embedding, the last the LM head, and every layer needs room for its weights and the KV cache of
     * at least one sequence of the request's max model length.
     *
     * @param asMiddle layers it can hold as a middle stage; &ge; 0
     * @param asFirst  layers it can hold as rank 0 (with the embedding); &ge; 0
     * @param asLast   layers it can hold as the last rank (with the LM head); &ge; 0
     * @param asOnly   layers it can hold as the only stage (embedding and LM head); &ge; 0
     */
    public record LayerBudget(int asMiddle, int asFirst, int asLast, int asOnly) {
        /**
         * Validates that every budget is &ge; 0.
         *
         * @param asMiddle layers it can hold as a middle stage; &ge; 0
         * @param asFirst  layers it can hold as rank 0 (with the embedding); &ge; 0
         * @param asLast   layers it can hold as the last rank (with the LM head); &ge; 0
         * @param asOnly   layers it can hold as the only stage (embedding and LM head); &ge; 0
         */
        public LayerBudget {
            if (asMiddle < 0 || asFirst < 0 || asLast < 0 || asOnly < 0) {
                throw new IllegalArgumentException("layer budgets must be >= 0, were " + asMiddle + ", " + asFirst
                        + ", " + asLast + ", " + asOnly);
            }
        }
    }

    /**
     * A candidate placement and what the performance model predicts for it.
     *
     * @param label      what the candidate is, for example {@code "vLLM's even split on all nodes"}; not blank
     * @param prediction the prediction (possibly {@code fits() == false}); not null
     */
    public record CandidatePrediction(String label, Prediction prediction) {
        /**
         * Validates both fields.
         *
         * @param label      what the candidate is, for example {@code "vLLM's even split on all nodes"}; not blank
         * @param prediction the prediction (possibly {@code fits() == false}); not null
         */
        public CandidatePrediction {
            if (Objects.requireNonNull(label, "candidate.label must not be null").isBlank()) {
                throw new IllegalArgumentException("candidate.label must not be blank");
            }
            Objects.requireNonNull(prediction, "candidate.prediction must not be null");
        }
    }

    /**
     * The time one token's activations take to cross a link once, as the performance model counts it.
     *
     * @param from the sending node
     * @param to   the receiving node
     * @return milliseconds, or empty if no RTT is known for this pair
     */
    public OptionalDouble crossingMillisPerToken(String from, String to) {
        Double v = crossingMillis.getOrDefault(from, Map.of()).get(to);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }
}
