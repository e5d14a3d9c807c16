package dev.placement.core;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes the plain-words explanation of a solver decision: the placement, its metrics, and each node left out. */
final class Rationale {
    /** How many left-out nodes are explained one by one; the rest are summarised. */
    private static final int DETAILED = 5;

    private Rationale() {
    }

    static String goalPhrase(Objective.Goal goal) {
        return switch (goal) {
            case ITL -> "minimises inter-token latency";
            case TTFT -> "minimises time to first token";
            case THROUGHPUT -> "maximises output throughput";
            case BALANCED -> "balances TTFT, ITL and throughput (their geometric mean)";
            case GOODPUT -> "maximises goodput (requests per second that meet every SLO)";
        };
    }

    static String metrics(PipelineMetrics m, int maxConcurrent) {
        return String.format(Locale.ROOT, "ITL %.1f ms, TPOT %.1f ms, TTFT %.0f ms, %.1f output tokens/s, "
                + "up to %d sequences at once", m.itlMillis(), m.tpotMillis(), m.ttftMillis(),
                m.outputTokensPerSecond(), maxConcurrent);
    }

    static String explain(PerformanceModel model, PipelineCosts c, Prediction best, List<String> excluded,
            boolean heuristic) {
        Placement p = best.placement();
        StringBuilder sb = new StringBuilder();
        sb.append(p.toSpec()).append(" (").append(p.pipelineParallelSize()).append(" of ").append(c.n)
                .append(c.n == 1 ? " node" : " nodes").append(", layer partition ").append(p.layerPartition())
                .append(") ").append(goalPhrase(c.request.objective().goal()));
        sb.append(heuristic ? " among the placements the heuristic search examined"
                : " over every valid placement");
        sb.append(": predicted ").append(metrics(best.metrics(), best.maxConcurrentSequences()))
                .append(goodput(c.request.objective().slo(), best)).append('.');
        // One evaluator and bound for every left-out node: the objective without its bounds, so that the comparison
        // is with the best pipeline that includes the node, even one the bounds rule out.
        Objective unbounded = new Objective(c.request.objective().goal(), null, null, null,
                c.request.objective().slo());
        SplitEvaluator ev = new SplitEvaluator(c, unbounded);
        CandidateBound bound = excluded.isEmpty() ? null : new CandidateBound(new NodeTables(c), unbounded);
        int explained = 0;
        for (String id : excluded) {
            if (explained == DETAILED) {
                sb.append(" ").append(excluded.size() - DETAILED)
                        .append(" more nodes were left out for the same kinds of reasons.");
                break;
            }
            sb.append(' ').append(id).append(" was left out: ")
                    .append(whyLeftOut(model, c, ev, bound, best, c.indexOf(id))).append('.');
            explained++;
        }
        return sb.toString();
    }

    /**
     * What the tensor-parallel size chosen means and what it beat, as sentences to append; empty when only one
     * size was possible (no node has several GPUs).
     *
     * @param c      the chosen size's terms
     * @param others the best placement of each other size that fits, in any order
     */
    static String tensorParallel(PipelineCosts c, Prediction best, List<Prediction> others) {
        StringBuilder sb = new StringBuilder();
        int t = c.tensorParallelSize;
        if (t > 1) {
            String link = c.nodes.get(c.indexOf(best.placement().nodeIds().get(0))).gpu().intraNodeLink().describe();
            sb.append(String.format(Locale.ROOT, " Each stage runs on %d GPUs of its node (tensor parallelism %d: "
                    + "%d all-reduces per layer, ≈%.2f ms per decode step on rank 0's %s).", t, t,
                    TensorParallel.ALL_REDUCES_PER_LAYER, stageAllReduceMillis(c, best), link));
        }
        for (Prediction o : others) {
            sb.append(String.format(Locale.ROOT, " With tensor parallelism %d the best would be %s, predicting %s.",
                    o.placement().tensorParallelSize(), o.placement().toSpec(),
                    metrics(o.metrics(), o.maxConcurrentSequences())));
        }
        return sb.toString();
    }

    /** What the all-reduces add to one decode step of rank 0, ms. */
    private static double stageAllReduceMillis(PipelineCosts c, Prediction best) {
        int k = best.placement().pipelineParallelSize();
        int b = best.servedSequences();
        double q = (double) b / Math.min(k, b);
        var first = best.placement().stages().get(0);
        return first.layerCount() * c.allReduceMillis(c.indexOf(first.nodeId()), q);
    }

    /** The predicted goodput under an SLO, as a clause; empty without an SLO. */
    static String goodput(Slo slo, Prediction p) {
        if (slo.isNone()) {
            return "";
        }
        return String.format(Locale.ROOT, ", goodput %.2f requests/s (%.0f%% of requests within %s)",
                p.spread().goodput(slo), 100 * p.spread().shareWithin(slo), slo.toSpec());
    }

    /**
     * What serving the offered load meant for this decision, as sentences to append (empty when it made no
     * difference): that no placement runs every concurrent request at once, and which placement would have won
     * had the objective been allowed to run fewer.
     *
     * @param costs     the terms the solver searched (their floor is the sequences it required)
     * @param unserving the best placement at the natural floor, or null when it was not searched
     */
    static String servedLoad(PerformanceModel model, PipelineCosts costs, Prediction best,
            PlacementSolver.Found unserving) {
        StringBuilder sb = new StringBuilder();
        if (costs.floorConcurrency < costs.topConcurrency) {
            sb.append(String.format(Locale.ROOT, " No placement's KV cache runs all %d concurrent requests at once;"
                    + " this one runs %d, the most any can, and the others wait for a slot.", costs.topConcurrency,
                    best.servedSequences()));
        }
        if (unserving != null) {
            Prediction alt = model.predict(unserving.placement(costs), costs);
            if (alt.fits() && !alt.placement().equals(best.placement())
                    && alt.servedSequences() < best.servedSequences()) {
                sb.append(String.format(Locale.ROOT, " %s would predict %s, but only because it runs %d of the %d"
                        + " requests at once (its KV cache is smaller); it does not serve the offered load.",
                        alt.placement().toSpec(), metrics(alt.metrics(), alt.maxConcurrentSequences()),
                        alt.servedSequences(), costs.concurrency));
            }
        }
        return sb.toString();
    }

    /**
     * Tries the node at every position of the chosen pipeline and compares the best such pipeline with the chosen
     * one. Positions are tried lowest bound first, and one whose bound is above the best score so far is not split:
     * its score could not win. The answer is the one trying every position in order would give.
     */
    private static String whyLeftOut(PerformanceModel model, PipelineCosts c, SplitEvaluator ev,
            CandidateBound bound, Prediction best, int x) {
        if (c.tensorParallelRefusals[x] != null) {
            return c.tensorParallelRefusals[x];
        }
        List<Integer> chosen = new ArrayList<>();
        for (String id : best.placement().nodeIds()) {
            chosen.add(c.indexOf(id));
        }
        int firstPos = c.request.firstNodeId() == null ? 0 : 1;
        int positions = chosen.size() + 1 - firstPos;
        int[][] paths = new int[positions][];
        double[][] links = new double[positions][];
        int[][] caps = new int[positions][];
        double[] lower = new double[positions];
        boolean anyLink = false;
        for (int i = 0; i < positions; i++) {
            int pos = firstPos + i;
            int[] path = new int[chosen.size() + 1];
            for (int r = 0, s = 0; r < path.length; r++) {
                path[r] = r == pos ? x : chosen.get(s++);
            }
            paths[i] = path;
            links[i] = ev.linkTerms(path);
            lower[i] = Double.POSITIVE_INFINITY;
            if (links[i] != null) {
                anyLink = true;
                caps[i] = ev.fitCaps(path);
                lower[i] = bound.ofPath(path, caps[i], links[i]);
            }
        }
        // Lowest bound first, so that the rest are skipped once one scores below their bounds; among equal scores
        // the earliest position wins, as it would in position order.
        double bestScore = Double.POSITIVE_INFINITY;
        int bestAt = -1;
        int[] bestLayers = null;
        for (int i : Ranking.ascending(lower)) {
            if (!(lower[i] < Double.POSITIVE_INFINITY) || lower[i] > bestScore) {
                continue;
            }
            int[] layers = new int[paths[i].length];
            double s = ev.bestSplit(paths[i], links[i], caps[i], layers, true);
            if (s < bestScore || (s == bestScore && s < Double.POSITIVE_INFINITY && i < bestAt)) {
                bestScore = s;
                bestAt = i;
                bestLayers = layers;
            }
        }
        int[] bestPath = bestAt < 0 ? null : paths[bestAt];
        if (!anyLink) {
            return "no RTT is known for the links it would need to join the pipeline";
        }
        if (bestPath == null) {
            return "no split that includes it fits in memory";
        }
        List<String> ids = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int r = 0; r < bestPath.length; r++) {
            ids.add(c.ids[bestPath[r]]);
            counts.add(bestLayers[r]);
        }
        Prediction with = model.predict(Placement.of(ids, counts).withTensorParallelSize(c.tensorParallelSize), c);
        double linkWithout = decodeLinkMillis(best);
        double linkWith = decodeLinkMillis(with);
        double added = linkWith - linkWithout;
        double saved = (best.metrics().itlMillis() - linkWithout) - (with.metrics().itlMillis() - linkWith);
        int pos = ids.indexOf(c.ids[x]);
        String before = ids.get((pos - 1 + ids.size()) % ids.size());
        String after = ids.get((pos + 1) % ids.size());
        String route = before + "→" + c.ids[x] + "→" + after;
        String where = pos == 0 ? "as rank 0" : "after " + before;
        String cmp = String.format(Locale.ROOT, "(with it, %s would predict %s)", with.placement().toSpec(),
                metrics(with.metrics(), with.maxConcurrentSequences()));
        if (added > saved) {
            String savedText = saved > 0.05
                    ? String.format(Locale.ROOT, "more than the ≈%.1f ms of compute it would save", saved)
                    : "and it would save no compute time (decode reads the same weights however they are split)";
            return String.format(Locale.ROOT, "placed %s, the links %s add ≈%.1f ms per token, %s %s", where, route,
                    added, savedText, cmp);
        }
        return String.format(Locale.ROOT, "placed %s it would save ≈%.1f ms of compute per token against ≈%.1f ms "
                + "added on the links %s, but the objective is still better without it %s", where, saved,
                Math.max(0, added), route, cmp);
    }

    private static double decodeLinkMillis(Prediction p) {
        double sum = 0;
        for (LinkEstimate l : p.links()) {
            sum += l.decodeCrossingMillis();
        }
        return sum;
    }
}
