package dev.placement.core;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What given placements do as replicas of one model, under the load model of {@link ReplicaPlanner}: each one's
 * capacity is its output throughput serving the whole workload alone, the workload's requests in flight are split
 * across them by capacity, and each is predicted at its share. What the orchestrator compares a new plan with: the
 * replicas that run now, on today's links. Stateless.
 */
public final class PlacedReplicas {
    private PlacedReplicas() {
    }

    /**
     * Predicts placements as replicas.
     *
     * @param model      the performance model; not null
     * @param request    the cluster, links, objective and workload (its concurrency is the offered load); not null
     * @param placements disjoint placements, one per replica, at least one and at most the workload's concurrency
     * @return the plan they make, their order kept ({@code exact} false, {@code solveMillis} 0)
     * @throws InfeasiblePlacementException naming the placement and why, if one does not fit on today's cluster
     * @throws IllegalArgumentException     if there are none, more than requests in flight, or two share a node
     */
    public static ReplicaPlan predict(PerformanceModel model, PlacementRequest request, List<Placement> placements) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(request, "request");
        int concurrency = request.workload().concurrency();
        int k = placements.size();
        if (k < 1 || k > concurrency) {
            throw new IllegalArgumentException("replicas must be 1 to the workload's concurrency " + concurrency
                    + ", were " + k);
        }
        Set<String> used = new HashSet<>();
        double[] capacity = new double[k];
        for (int i = 0; i < k; i++) {
            Placement p = placements.get(i);
            for (String node : p.nodeIds()) {
                if (!used.add(node)) {
                    throw new IllegalArgumentException("replicas share node " + node + ": " + placements);
                }
            }
            capacity[i] = fitting(model, p, at(request, concurrency)).metrics().outputTokensPerSecond();
            if (!(capacity[i] > 0)) {
                throw new InfeasiblePlacementException(p + " is predicted to serve no tokens");
            }
        }
        int[] shares = ReplicaGroups.split(capacity, concurrency);
        List<ReplicaPlan.Replica> replicas = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Prediction p = fitting(model, placements.get(i), at(request, shares[i]));
            predictions.add(p);
            replicas.add(new ReplicaPlan.Replica(p, shares[i], capacity[i]));
        }
        List<String> unused = new ArrayList<>();
        for (NodeSpec node : request.cluster().nodes()) {
            if (!used.contains(node.id())) {
                unused.add(node.id());
            }
        }
        return new ReplicaPlan(replicas, unused, totals(predictions, request.objective().slo()), false, 0);
    }

    /**
     * The cluster objective of a plan, the planner's: lower is better, infinite when a replica breaks the
     * objective's TTFT or ITL bound or the cluster its throughput bound.
     *
     * @param objective the objective; not null
     * @param plan      the plan; not null
     * @return the score
     */
    public static double score(Objective objective, ReplicaPlan plan) {
        return score(objective, plan.replicas().stream().map(ReplicaPlan.Replica::prediction).toList(),
                plan.totals());
    }

    /** {@link #score(Objective, ReplicaPlan)} of replicas' predictions and their totals. */
    static double score(Objective objective, List<Prediction> predictions, ReplicaPlan.Totals t) {
        for (Prediction p : predictions) {
            var m = p.metrics();
            if (objective.maxTtftMillis() != null && m.ttftMillis() > objective.maxTtftMillis()
                    || objective.maxItlMillis() != null && m.itlMillis() > objective.maxItlMillis()) {
                return Double.POSITIVE_INFINITY;
            }
        }
        if (objective.minOutputTokensPerSecond() != null
                && t.outputTokensPerSecond() < objective.minOutputTokensPerSecond()) {
            return Double.POSITIVE_INFINITY;
        }
        return ReplicaGroups.clusterScore(objective.goal(), t);
    }

    /** The cluster totals of replicas predicted at their shares: sums, and means weighted by rate. */
    static ReplicaPlan.Totals totals(List<Prediction> predictions, Slo slo) {
        double tokens = 0;
        double good = 0;
        double requests = 0;
        double ttft = 0;
        double itl = 0;
        int served = 0;
        for (Prediction p : predictions) {
            double rps = p.spread().requestsPerSecond();
            double thr = p.metrics().outputTokensPerSecond();
            tokens += thr;
            requests += rps;
            good += slo.isNone() ? rps : p.spread().goodput(slo);
            ttft += rps * p.metrics().ttftMillis();
            itl += thr * p.metrics().itlMillis();
            served += p.servedSequences();
        }
        return new ReplicaPlan.Totals(tokens, good, requests > 0 ? ttft / requests : 0, tokens > 0 ? itl / tokens : 0,
                served);
    }

    private static PlacementRequest at(PlacementRequest request, int concurrency) {
        Workload w = request.workload();
        return request.toBuilder().workload(new Workload(w.inputTokens(), w.outputTokens(), concurrency))
                .current(null).build();
    }

    private static Prediction fitting(PerformanceModel model, Placement p, PlacementRequest at) {
        Prediction prediction;
        try {
            prediction = model.predict(p, at);
        } catch (IllegalArgumentException e) {
            throw new InfeasiblePlacementException(p + " cannot run here: " + e.getMessage());
        }
        if (!prediction.fits()) {
            throw new InfeasiblePlacementException(p + " does not fit: " + prediction.infeasibleReason());
        }
        return prediction;
    }
}
