package dev.placement.core;

import java.util.List;
import java.util.Objects;

/**
 * Several pipelines (replicas) of one model on disjoint groups of a cluster's nodes, each placed by the solver, and
 * what the {@link PerformanceModel} predicts for the cluster when the offered load is split across them by
 * capacity ({@link ReplicaPlanner} says how). A plan of one replica is the single pipeline of
 * {@link PlacementSolver}.
 *
 * @param replicas    the replicas, in the cluster order of their first node; at least one
 * @param unusedNodes ids of the nodes no replica uses, in cluster order
 * @param totals      the cluster's predicted metrics at the offered load
 * @param exact       true when every partition of the nodes was compared (small clusters), false when the local
 *                    search chose
 * @param solveMillis wall time the planning took, in ms; &ge; 0
 */
public record ReplicaPlan(List<Replica> replicas, List<String> unusedNodes, Totals totals, boolean exact,
        double solveMillis) {

    /**
     * Validates and copies.
     *
     * @param replicas    the replicas; not null, at least one
     * @param unusedNodes ids of the nodes no replica uses; not null
     * @param totals      the cluster's predicted metrics; not null
     * @param exact       whether every partition was compared
     * @param solveMillis wall time in ms; finite and &ge; 0
     */
    public ReplicaPlan {
        replicas = List.copyOf(replicas);
        unusedNodes = List.copyOf(unusedNodes);
        Objects.requireNonNull(totals, "totals");
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("a replica plan needs at least one replica");
        }
        if (!(solveMillis >= 0) || Double.isInfinite(solveMillis)) {
            throw new IllegalArgumentException("solveMillis must be finite and >= 0, was " + solveMillis);
        }
    }

    /**
     * One pipeline of the plan.
     *
     * @param prediction  its placement and what the model predicts for it at its share of the load (always fits)
     * @param concurrency how many of the workload's requests in flight it is given; &ge; 1
     * @param capacity    its predicted output throughput in tokens/s when it alone serves the whole workload: the
     *                    weight the load is split, and requests are routed, by; &gt; 0
     */
    public record Replica(Prediction prediction, int concurrency, double capacity) {

        /**
         * Validates.
         *
         * @param prediction  its placement and prediction; not null, fits
         * @param concurrency requests in flight it is given; &ge; 1
         * @param capacity    output tokens/s alone under the whole workload; finite and &gt; 0
         */
        public Replica {
            Objects.requireNonNull(prediction, "prediction");
            if (!prediction.fits()) {
                throw new IllegalArgumentException("a replica's placement must fit: " + prediction.infeasibleReason());
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("a replica's concurrency must be >= 1, was " + concurrency);
            }
            if (!(capacity > 0) || Double.isInfinite(capacity)) {
                throw new IllegalArgumentException("a replica's capacity must be finite and > 0, was " + capacity);
            }
        }
    }

    /**
     * The cluster's predicted metrics with the load split across the replicas.
     *
     * @param outputTokensPerSecond the replicas' output throughputs summed, tokens/s
     * @param goodput               requests per second that meet the objective's SLO, summed (the requests per
     *                              second of all replicas when the objective has no SLO)
     * @param meanTtftMillis        time to first token in ms, averaged over requests (each replica weighted by
     *                              its requests per second)
     * @param meanItlMillis         inter-token latency in ms, averaged over tokens (each replica weighted by its
     *                              output tokens per second)
     * @param servedSequences       how many of the workload's requests run at once, summed over the replicas
     */
    public record Totals(double outputTokensPerSecond, double goodput, double meanTtftMillis, double meanItlMillis,
            int servedSequences) {

        /**
         * Validates that every figure is finite and not negative.
         *
         * @param outputTokensPerSecond tokens/s; finite, &ge; 0
         * @param goodput               requests/s; finite, &ge; 0
         * @param meanTtftMillis        ms; finite, &ge; 0
         * @param meanItlMillis         ms; finite, &ge; 0
         * @param servedSequences       &ge; 1
         */
        public Totals {
            for (double v : new double[] {outputTokensPerSecond, goodput, meanTtftMillis, meanItlMillis}) {
                if (!(v >= 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("a cluster total must be finite and >= 0, was " + v);
                }
            }
            if (servedSequences < 1) {
                throw new IllegalArgumentException("servedSequences must be >= 1, was " + servedSequences);
            }
        }
    }
}
