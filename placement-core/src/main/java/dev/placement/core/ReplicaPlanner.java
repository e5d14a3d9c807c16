package dev.placement.core;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Plans several pipelines (replicas) of one model on disjoint groups of a cluster's nodes, to optimise the
 * request's objective for the whole cluster under its offered load ({@code docs/design/REPLICAS.md}): the
 * workload's requests in flight are split across the replicas by capacity, as the router does, and each replica's
 * pipeline is the {@link PlacementSolver}'s best on its nodes at an even share (C / k of C requests for k
 * replicas), predicted at its capacity share. Nodes may stay unused.
 *
 * <p>Up to {@value #EXACT_MAX_NODES} nodes every partition of the nodes into groups (and unused ones) is compared,
 * so the plan is the best under that load model ({@link ReplicaPlan#exact()}). Beyond, a local search starts from
 * groups of a few nearby nodes that hold the model and from the single pipeline over all nodes; it moves and swaps
 * nodes, merges, gives up and adds groups while the cluster's score improves, and when no such move does, frees
 * the nodes of two groups and partitions them again exactly (not on sites of more than 16 nodes, whose
 * neighbourhood is also narrowed). It was within 1% of exact on random 5–7-node clusters; it plans 64 × 80 in
 * well under a second ({@code ReplicaPlannerBenchmark}). Deterministic: equal inputs give the same plan.
 * Immutable and thread-safe: each call works on its own state.
 */
public final class ReplicaPlanner {
    /** The largest cluster whose partitions are all compared. */
    public static final int EXACT_MAX_NODES = 8;
    /** Passes of the local search at most; each pass takes the first move that improves. */
    private static final int MAX_PASSES = 200;
    /** The local search improves this many of its best starting partitions. */
    private static final int IMPROVED_STARTS = 4;
    /** The most nodes a repair partitions again exactly (B(8) = 4,140 partitions at 7). */
    private static final int REPAIR_NODES = 7;
    /**
     * Group solves the local search may make to improve one start (memoised answers are free): deterministic, so
     * equal inputs give the same plan, and it bounds the time (a solve of a 2-5-node group of an 80-layer model
     * takes 0.01-2 ms).
     */
    private static final int SOLVE_BUDGET = 1500;

    /**
     * The exact search's step budget for each group the local search tries, seeded by the beam's first
     * water-filled pipeline alone (not polished or finished, which was nine tenths of a solve): a 2-5-node group
     * is solved exactly within it nearly always, and a larger one falls back to the best found so far; the groups
     * of the plan it chooses are solved again in full. A 4-5-node group of the 80-layer model takes about 0.2 ms.
     */
    private static final long SCREENING_STEPS = 1000;

    private final PlacementSolver solver;
    private final PlacementSolver screening;

    /**
     * Creates a planner.
     *
     * @param model the performance model that scores placements; not null
     */
    public ReplicaPlanner(PerformanceModel model) {
        this.solver = new PlacementSolver(Objects.requireNonNull(model, "model"));
        this.screening = new PlacementSolver(model, SCREENING_STEPS, PlacementSolver.EXACT_MAX_NODES, true);
    }

    /**
     * Plans as many replicas as serve the objective best (one when a single pipeline does).
     *
     * @param request the model, cluster, links, objective, workload (its concurrency is the offered load) and max
     *                model length; a first node, if any, is rank 0 of one replica; not null
     * @return the best plan found
     * @throws InfeasiblePlacementException when no group of nodes holds the model
     * @throws IllegalArgumentException     when the cluster has more than 64 nodes
     */
    public ReplicaPlan plan(PlacementRequest request) {
        return plan(request, 0, Objects.requireNonNull(request, "request").cluster().nodes().size() <= EXACT_MAX_NODES);
    }

    /**
     * Plans exactly {@code replicas} replicas.
     *
     * @param request  as for {@link #plan(PlacementRequest)}; not null
     * @param replicas how many; at least 1, and at most the workload's concurrency
     * @return the best plan found with that many replicas
     * @throws InfeasiblePlacementException when the nodes cannot make that many groups that hold the model
     * @throws IllegalArgumentException     when {@code replicas} is out of range or the cluster has more than 64
     *                                      nodes
     */
    public ReplicaPlan plan(PlacementRequest request, int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
        }
        return plan(request, replicas,
                Objects.requireNonNull(request, "request").cluster().nodes().size() <= EXACT_MAX_NODES);
    }

    /**
     * Plans by comparing every partition ({@code exact}) or by the local search, whatever the size (tests);
     * {@code replicas} 0 lets the count free.
     */
    ReplicaPlan plan(PlacementRequest request, int replicas, boolean exact) {
        Objects.requireNonNull(request, "request");
        int concurrency = request.workload().concurrency();
        if (replicas < 0 || replicas > concurrency) {
            throw new IllegalArgumentException("replicas must be between 1 and the workload's concurrency "
                    + concurrency + ", was " + replicas);
        }
        long start = System.nanoTime();
        ReplicaGroups groups = new ReplicaGroups(solver, request);
        int n = groups.size();
        ReplicaGroups.Judged best;
        if (exact) {
            best = new ExactPartitions(groups, replicas, new long[0]).best(groups.all());
        } else {
            ReplicaGroups.Judged found = localSearch(new ReplicaGroups(screening, request), replicas);
            ReplicaGroups.Judged full = found == null ? null : groups.judge(found.groups());
            best = full != null ? full : found;
        }
        if (best == null) {
            if (replicas <= 1) {
                solver.solve(request); // throws the solver's own reason why nothing fits
            }
            throw new InfeasiblePlacementException(replicas == 0
                    ? "no group of the " + n + " nodes holds " + request.model().name() + " as the request asks"
                    : "the " + n + " nodes cannot make " + replicas + " groups that each hold "
                            + request.model().name());
        }
        return toPlan(groups, best, exact, (System.nanoTime() - start) / 1e6);
    }

    private static ReplicaPlan toPlan(ReplicaGroups groups, ReplicaGroups.Judged j, boolean exact, double millis) {
        Integer[] order = new Integer[j.groups().length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(Long.numberOfTrailingZeros(j.groups()[a]),
                Long.numberOfTrailingZeros(j.groups()[b])));
        List<ReplicaPlan.Replica> replicas = new ArrayList<>();
        for (int i : order) {
            replicas.add(new ReplicaPlan.Replica(j.solved()[i].prediction(), j.shares()[i],
                    j.solved()[i].capacity()));
        }
        List<String> unused = new ArrayList<>();
        for (NodeSpec node : groups.nodes()) {
            if (replicas.stream().noneMatch(r -> r.prediction().placement().uses(node.id()))) {
                unused.add(node.id());
            }
        }
        return new ReplicaPlan(replicas, unused, j.totals(), exact, millis);
    }

    private static ReplicaGroups.Judged localSearch(ReplicaGroups groups, int replicas) {
        ReplicaNeighbourhood moves = new ReplicaNeighbourhood(groups);
        List<ReplicaGroups.Judged> starts = new ArrayList<>();
        List<long[]> seeds = new ArrayList<>(moves.packings(replicas));
        seeds.addAll(moves.seeds(replicas));
        for (long[] seed : seeds) {
            ReplicaGroups.Judged j = groups.judge(seed);
            if (j != null) {
                starts.add(groups.tightened(j));
            }
        }
        // The best starts first, so that the budget goes to them.
        starts.sort((a, b) -> ReplicaGroups.better(a, b) ? -1 : ReplicaGroups.better(b, a) ? 1 : 0);
        ReplicaGroups.Judged best = starts.isEmpty() ? null : starts.get(0);
        for (int i = 0; i < Math.min(starts.size(), IMPROVED_STARTS); i++) {
            ReplicaGroups.Judged j = improve(groups, moves, starts.get(i), replicas);
            if (ReplicaGroups.better(j, best)) {
                best = j;
            }
        }
        return best;
    }

    /**
     * When no single move helps: frees the nodes of two groups (or of one), with the unused nodes nearest them up
     * to {@value #REPAIR_NODES} nodes, and partitions them again exactly with the other groups kept; the first
     * repair that improves. Not on a large site ({@link ReplicaNeighbourhood#large()}): at 64 × 80 the repairs
     * that found nothing were a quarter of the solves, and the plan was as good without them.
     */
    private static ReplicaGroups.Judged repaired(ReplicaGroups groups, ReplicaNeighbourhood moves,
            ReplicaGroups.Judged current, int replicas, int budget) {
        long[] g = current.groups();
        for (int i = 0; i < g.length; i++) {
            for (int j = i; j < g.length; j++) {
                if (groups.solves() >= budget) {
                    return null;
                }
                long window = moves.window(g[i] | g[j], g, REPAIR_NODES);
                if (Long.bitCount(window) > REPAIR_NODES) {
                    continue;
                }
                List<Long> kept = new ArrayList<>();
                for (int x = 0; x < g.length; x++) {
                    if (x != i && x != j) {
                        kept.add(g[x]);
                    }
                }
                ReplicaGroups.Judged r = new ExactPartitions(groups, replicas,
                        kept.stream().mapToLong(Long::longValue).toArray()).best(window);
                if (ReplicaGroups.better(r, current)) {
                    return r;
                }
            }
        }
        return null;
    }

    private static ReplicaGroups.Judged improve(ReplicaGroups groups, ReplicaNeighbourhood moves,
            ReplicaGroups.Judged start, int replicas) {
        ReplicaGroups.Judged current = start;
        int budget = groups.solves() + SOLVE_BUDGET;
        for (int pass = 0; current != null && pass < MAX_PASSES && groups.solves() < budget; pass++) {
            ReplicaGroups.Judged next = null;
            for (long[] candidate : moves.around(current.groups(), replicas)) {
                if (groups.solves() >= budget) {
                    break;
                }
                ReplicaGroups.Judged j = groups.judge(candidate);
                if (ReplicaGroups.better(j, current)) {
                    next = j;
                    break;
                }
            }
            if (next == null && !moves.large()) {
                next = repaired(groups, moves, current, replicas, budget);
            }
            if (next == null) {
                break;
            }
            current = groups.tightened(next);
        }
        return current;
    }
}
