package dev.placement.core;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link PerformanceModel} predicts for one placement.
 *
 * @param placement              the placement judged
 * @param metrics                predicted metrics ({@link PipelineMetrics.Source#PREDICTED}); computed on a
 *                               best-effort basis when the placement does not fit, and meaningful only when
 *                               {@link #fits()}
 * @param fits                   whether every stage fits in memory with KV cache for one max-model-len sequence,
 *                               and every link it crosses (including the return hop) has a known RTT
 * @param infeasibleReason       why it does not fit, in plain words; {@code null} when it fits
 * @param maxConcurrentSequences how many sequences of the workload the smallest stage KV cache holds at once
 *                               (capped at vLLM's max-num-seqs); 0 when it does not fit
 * @param stages                 per-stage terms, rank 0 first
 * @param links                  per-link terms in pipeline order, the return hop last (empty for one stage)
 */
public record Prediction(
        Placement placement,
        PipelineMetrics metrics,
        boolean fits,
        String infeasibleReason,
        int maxConcurrentSequences,
        List<StageEstimate> stages,
        List<LinkEstimate> links) {

    /** Validates the fields and copies the lists. */
    public Prediction {
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(metrics, "metrics");
        if (!fits && (infeasibleReason == null || infeasibleReason.isBlank())) {
            throw new IllegalArgumentException("a prediction that does not fit needs a reason");
        }
        if (fits) {
            infeasibleReason = null;
        }
        stages = List.copyOf(stages);
        links = List.copyOf(links);
    }
}
