package dev.placement.core;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges partitions of a cluster's nodes into replica groups for one request, the load model of
 * {@code docs/design/REPLICAS.md}: each group's pipeline is the solver's best on its nodes at an even share of the
 * workload's concurrency (C / k requests for k groups), the requests are then split by capacity (each pipeline's
 * output throughput serving the whole workload alone), and each pipeline is predicted at its share. So a group's
 * pipeline depends only on the group and the number of groups, and is solved once for them. Groups are bit sets
 * over the cluster's node order (so at most 64 nodes). Not thread-safe: one planning uses one instance.
 */
final class ReplicaGroups {
    private final PlacementSolver solver;
    private final PlacementRequest request;
    private final List<NodeSpec> nodes;
    private final int concurrency;
    private final int pinned;
    private final Map<Key, Solved> memo = new HashMap<>();
    private final Map<Shares, Solved> predicted = new HashMap<>();
    private final Map<Long, Boolean> holds = new HashMap<>();
    private int solves;

    private record Key(long group, int share) {
    }

    private record Shares(long group, int pick, int share) {
    }

    /** A group's pipeline at one share: the solver's choice and its capacity. */
    record Solved(Prediction prediction, double capacity) {
    }

    /** A judged partition: its groups (in plan order), their shares and pipelines, totals and score. */
    record Judged(long[] groups, int[] shares, Solved[] solved, ReplicaPlan.Totals totals, double score) {
        int servedSequences() {
            return totals.servedSequences();
        }
    }

    ReplicaGroups(PlacementSolver solver, PlacementRequest request) {
        this.solver = solver;
        this.request = request;
        this.nodes = request.cluster().nodes();
        if (nodes.size() > 64) {
            throw new IllegalArgumentException("replica planning takes at most 64 nodes, the cluster has "
                    + nodes.size());
        }
        this.concurrency = request.workload().concurrency();
        this.pinned = request.firstNodeId() == null ? -1 : request.cluster().nodeIds().indexOf(request.firstNodeId());
    }

    int size() {
        return nodes.size();
    }

    int concurrency() {
        return concurrency;
    }

    List<NodeSpec> nodes() {
        return nodes;
    }

    /** Every node of the cluster as a bit set. */
    long all() {
        return nodes.size() == 64 ? -1L : (1L << nodes.size()) - 1;
    }

    ConnectivityMap links() {
        return request.connectivity();
    }

    /** How many groups have been solved so far (memoised answers not counted): the local search's budget. */
    int solves() {
        return solves;
    }

    /**
     * The capacity of the group's pipeline for the whole load, or 0 when it cannot hold the model: what the
     * search ranks candidate groups by.
     */
    double capacity(long group) {
        Solved s = solve(group, concurrency);
        return s == null ? 0 : s.capacity();
    }

    /**
     * Whether some pipeline on the group fits with one request in flight (a group that cannot hold the model).
     * Without bounds in the objective that is whether any placement fits, which the solver answers without a
     * search; with bounds, the solve at one request says it.
     */
    boolean holdsModel(long group) {
        Objective o = request.objective();
        if (o.maxTtftMillis() != null || o.maxItlMillis() != null || o.minOutputTokensPerSecond() != null) {
            return solve(group, 1) != null;
        }
        return holds.computeIfAbsent(group, g -> solver.anyFits(subRequest(g, 1)));
    }

    /**
     * Judges a partition.
     *
     * @param groups disjoint non-empty groups; the nodes in none are unused
     * @return the judgement, or {@code null} when a group cannot hold the model, there are more groups than
     *         requests in flight, or a pinned first node is in none of them
     */
    Judged judge(long[] groups) {
        int k = groups.length;
        if (k == 0 || k > concurrency || (pinned >= 0 && !anyContains(groups, pinned))) {
            return null;
        }
        int pick = Math.max(1, Math.round((float) concurrency / k));
        double[] capacity = new double[k];
        Solved[] pipes = new Solved[k];
        for (int i = 0; i < k; i++) {
            pipes[i] = solve(groups[i], pick);
            if (pipes[i] == null) {
                return null;
            }
            capacity[i] = pipes[i].capacity();
        }
        int[] shares = split(capacity, concurrency);
        Solved[] solved = new Solved[k];
        for (int i = 0; i < k; i++) {
            solved[i] = shares[i] == pick ? pipes[i] : at(groups[i], pick, pipes[i], shares[i]);
        }
        ReplicaPlan.Totals totals = totals(solved);
        return new Judged(groups.clone(), shares, solved, totals, score(solved, totals));
    }

    /**
     * The judged partition with each group cut down to the nodes its pipeline uses (the solver may leave some
     * out), so that a move of such a node is a real move; the same judgement when nothing was left out.
     */
    Judged tightened(Judged j) {
        long[] tight = j.groups().clone();
        boolean changed = false;
        for (int i = 0; i < tight.length; i++) {
            long usedNodes = 0;
            for (int b = 0; b < nodes.size(); b++) {
                if ((tight[i] >>> b & 1) != 0 && j.solved()[i].prediction().placement().uses(nodes.get(b).id())) {
                    usedNodes |= 1L << b;
                }
            }
            changed |= usedNodes != tight[i];
            tight[i] = usedNodes;
        }
        if (!changed) {
            return j;
        }
        Judged t = judge(tight);
        return t != null && !better(j, t) ? t : j;
    }

    /** Whether a is better than b: serves more at once, then scores lower, then has fewer replicas. */
    static boolean better(Judged a, Judged b) {
        if (b == null) {
            return a != null;
        }
        if (a == null) {
            return false;
        }
        if (a.servedSequences() != b.servedSequences()) {
            return a.servedSequences() > b.servedSequences();
        }
        double tolerance = 1e-10 * Math.max(Math.abs(a.score()), Math.abs(b.score()));
        if (Math.abs(a.score() - b.score()) > tolerance) {
            return a.score() < b.score();
        }
        return a.groups().length < b.groups().length;
    }

    /**
     * Whole requests in proportion to weights (even when all are 0), each at least 1, summing to {@code total}:
     * largest remainder, ties to the earlier group. Needs {@code total >= weights.length}.
     */
    static int[] split(double[] weights, int total) {
        int k = weights.length;
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        int[] share = new int[k];
        double[] exact = new double[k];
        int left = total - k; // one each first
        for (int i = 0; i < k; i++) {
            exact[i] = sum > 0 ? left * weights[i] / sum : left / (double) k;
            share[i] = 1 + (int) Math.floor(exact[i]);
        }
        int given = Arrays.stream(share).sum();
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(exact[y] - Math.floor(exact[y]), exact[x] - Math.floor(exact[x])));
        for (int j = 0; given < total; j++, given++) {
            share[order[j % k]]++;
        }
        return share;
    }

    /** The pipeline chosen at one share, predicted at another (memoised by group and both shares). */
    private Solved at(long group, int pick, Solved pipe, int share) {
        return predicted.computeIfAbsent(new Shares(group, pick, share), key -> new Solved(solver.model().predict(
                pipe.prediction().placement(), subRequest(group, share)), pipe.capacity()));
    }

    private Solved solve(long group, int share) {
        Key key = new Key(group, share);
        if (memo.containsKey(key)) {
            return memo.get(key);
        }
        Solved found = null;
        solves++;
        try {
            PlacementRequest at = subRequest(group, share);
            Prediction p = solver.solve(at, false, false).best();
            double capacity = share == concurrency ? p.metrics().outputTokensPerSecond()
                    : solver.model().predict(p.placement(), subRequest(group, concurrency)).metrics()
                            .outputTokensPerSecond();
            found = capacity > 0 ? new Solved(p, capacity) : null;
        } catch (InfeasiblePlacementException e) {
            found = null;
        }
        memo.put(key, found);
        return found;
    }

    PlacementRequest subRequest(long group, int share) {
        List<NodeSpec> in = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if ((group >>> i & 1) != 0) {
                in.add(nodes.get(i));
            }
        }
        Workload w = request.workload();
        return request.toBuilder().cluster(new ClusterSnapshot(in, request.cluster().gpuMemoryUtilization()))
                .workload(new Workload(w.inputTokens(), w.outputTokens(), share))
                .firstNodeId(pinned >= 0 && (group >>> pinned & 1) != 0 ? request.firstNodeId() : null)
                .current(null).build();
    }

    private ReplicaPlan.Totals totals(Solved[] solved) {
        return PlacedReplicas.totals(predictions(solved), request.objective().slo());
    }

    /** The cluster objective (lower is better); infinite when a replica breaks a bound of the objective. */
    private double score(Solved[] solved, ReplicaPlan.Totals t) {
        return PlacedReplicas.score(request.objective(), predictions(solved), t);
    }

    private static List<Prediction> predictions(Solved[] solved) {
        List<Prediction> out = new ArrayList<>(solved.length);
        for (Solved s : solved) {
            out.add(s.prediction());
        }
        return out;
    }

    /**
     * The cluster objective of totals that meet the bounds (lower is better): goodput negated for goodput, else
     * {@link ObjectiveScore#raw} of the mean TTFT, mean ITL and total throughput.
     */
    static double clusterScore(Objective.Goal goal, ReplicaPlan.Totals t) {
        return goal == Objective.Goal.GOODPUT ? -t.goodput()
                : ObjectiveScore.raw(goal, t.meanTtftMillis(), t.meanItlMillis(), t.outputTokensPerSecond());
    }

    private static boolean anyContains(long[] groups, int node) {
        for (long g : groups) {
            if ((g >>> node & 1) != 0) {
                return true;
            }
        }
        return false;
    }
}
