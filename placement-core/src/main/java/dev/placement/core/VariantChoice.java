package dev.placement.core;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Chooses among variants of one model that the user lists (its bf16 and AWQ checkpoints, say) together with
 * their placements: each variant is placed by the agent on the same cluster, links and workload, and the one
 * whose placement the performance model predicts best on the objective wins (serving the offered load first, as
 * {@link ObjectiveScore#regret} compares). Only the variants given are considered. Quality differences between
 * variants are not modelled; the rationale says so. Stateless.
 */
public final class VariantChoice {

    private VariantChoice() {
    }

    /**
     * One variant and how it placed.
     *
     * @param request    the request for this variant (its model)
     * @param decision   the agent's placement, or null when the variant cannot be placed
     * @param prediction the model's prediction for that placement, or null with no placement
     * @param problem    why the variant cannot be placed, or null
     */
    public record Candidate(PlacementRequest request, PlacementDecision decision, Prediction prediction,
            String problem) {
        /**
         * Checks that the request is given.
         *
         * @param request    the request for this variant (its model); not null
         * @param decision   the agent's placement, or null when the variant cannot be placed
         * @param prediction the model's prediction for that placement, or null with no placement
         * @param problem    why the variant cannot be placed, or null
         * @throws NullPointerException if the request is null
         */
        public Candidate {
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * The choice.
     *
     * @param chosen     the index of the chosen variant in {@code candidates}
     * @param candidates every variant, in the order given
     * @param rationale  which variant was chosen over which, with the predicted figure that decided, in one line
     */
    public record Result(int chosen, List<Candidate> candidates, String rationale) {
        /**
         * Copies the candidates.
         *
         * @param chosen     the index of the chosen variant in {@code candidates}
         * @param candidates every variant, in the order given; not null
         * @param rationale  which variant was chosen over which, and the predicted figure that decided, in one line
         */
        public Result {
            candidates = List.copyOf(candidates);
        }

        /** @return the chosen variant */
        public Candidate best() {
            return candidates.get(chosen);
        }
    }

    /**
     * @param agent    places each variant
     * @param model    predicts each placement
     * @param variants one request per variant, alike but for the model; at least one
     * @return the choice
     * @throws InfeasiblePlacementException if no variant can be placed, naming each variant's reason
     * @throws IllegalArgumentException     if no variant is given
     */
    public static Result choose(PlacementAgent agent, PerformanceModel model, List<PlacementRequest> variants) {
        if (variants.isEmpty()) {
            throw new IllegalArgumentException("at least one variant is needed");
        }
        List<Candidate> candidates = new ArrayList<>();
        int best = -1;
        for (PlacementRequest request : variants) {
            Candidate c;
            try {
                PlacementDecision d = agent.decide(request);
                c = new Candidate(request, d, model.predict(d.placement(), request), null);
            } catch (InfeasiblePlacementException e) {
                c = new Candidate(request, null, null, e.getMessage());
            }
            candidates.add(c);
            if (c.decision() != null && (best < 0 || ObjectiveScore.regret(request.objective(), c.prediction(),
                    candidates.get(best).prediction()) < 0)) {
                best = candidates.size() - 1;
            }
        }
        if (best < 0) {
            List<String> why = candidates.stream().map(c -> name(c) + ": " + c.problem()).toList();
            throw new InfeasiblePlacementException("no variant can be placed (" + String.join("; ", why) + ")");
        }
        return new Result(best, candidates, rationale(best, candidates));
    }

    private static String rationale(int best, List<Candidate> candidates) {
        Candidate chosen = candidates.get(best);
        Objective objective = chosen.request().objective();
        List<String> others = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c != chosen) {
                others.add(c.decision() == null ? name(c) + " (cannot be placed: " + c.problem() + ")"
                        : name(c) + " (" + figure(objective, c.prediction().metrics()) + ")");
            }
        }
        String over = others.isEmpty() ? "" : " over " + String.join(", ", others);
        return "variant " + name(chosen) + " (" + figure(objective, chosen.prediction().metrics()) + ") chosen" + over
                + "; quality differences between variants are not modelled, so list only those you accept";
    }

    private static String figure(Objective objective, PipelineMetrics m) {
        return switch (objective.goal()) {
            case TTFT -> String.format(Locale.ROOT, "TTFT %.1f ms", m.ttftMillis());
            case THROUGHPUT, GOODPUT -> String.format(Locale.ROOT, "%.1f tok/s", m.outputTokensPerSecond());
            default -> String.format(Locale.ROOT, "ITL %.1f ms, TTFT %.1f ms", m.itlMillis(), m.ttftMillis());
        };
    }

    private static String name(Candidate c) {
        return c.request().model().name();
    }
}
