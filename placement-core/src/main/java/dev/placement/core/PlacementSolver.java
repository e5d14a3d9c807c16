package dev.placement.core;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds the placement that is best for the request's objective: which nodes, in which order, how many
 * contiguous layers each, subject to memory (every stage keeps KV cache for one max-model-len sequence), known
 * links (including the return hop to rank 0), the objective's bounds, and the pinned first node if any.
 *
 * <p>Every objective serves the offered load: only placements whose KV cache runs as many of the workload's
 * concurrent requests at once as any placement can are eligible (all of them when some placement holds them
 * all; else the most any can). A placement that looks faster only because it runs fewer requests at once (a
 * small KV cache queues the rest) is not an answer to a user who offered that load; the explanation names it
 * when it would have won.
 *
 * <p>Up to {@value #EXACT_MAX_NODES} nodes the answer is exact for the {@link PerformanceModel} (see the
 * package-private {@code ExactSearch} for why), unless the exact search
 * runs out of its deterministic work budget ({@link Solution#proven()} is then false and the explanation says
 * so); above, a polynomial beam search is used, which was within 1% of exact on every realistic 13–16-node
 * case compared (worst 0.85%; docs/PERFORMANCE.md). Scores come from {@link ObjectiveScore}.
 * Among placements that score the same (up to 1e-10 relative), the one whose node sequence comes first in the order of
 * {@code ClusterSnapshot.nodes()} is preferred, then the one with more layers on earlier stages, so equal
 * inputs give the same, natural answer ({@code node0:14,node1:14,node2:12} on three identical nodes on a
 * uniform network). Immutable and thread-safe: each call to {@link #solve} works on its own state.
 */
public final class PlacementSolver {

    /** The largest cluster solved exactly. */
    public static final int EXACT_MAX_NODES = 12;

    /**
     * The exact search's work budget in steps (candidates solved plus depth-first search nodes): deterministic,
     * so that the same input always gives the same answer. The 12 × 80 heterogeneous benchmark clusters take at
     * most 19 000 steps (SolverTiming, 2026-11-27); at 5-10 million steps a second the budget stops a search
     * after about half a second. When it runs out, the best placement found so far or the heuristic's, whichever
     * scores better, is returned and marked as not proven optimal.
     */
    static final long EXACT_STEP_BUDGET = 4_000_000;

    /** The narrowest beam: what a 64-node cluster gets, and what seeds the exact search. */
    private static final int BEAM_WIDTH = 12;
    /** The beam that only seeds the exact search ({@code seedOnlyBeam}): about a third of the width-12 one's time. */
    private static final int SEED_BEAM_WIDTH = 4;
    /**
     * The beam's work: about width × n² children per depth over up to n depths, so a width of
     * {@code BEAM_WORK / n³} costs about the same at every size. Small clusters get a wider beam for it (n = 8:
     * 468, n = 12: 138, n = 16: 58, n = 24: 17; from n = 28 on the minimum, {@value #BEAM_WIDTH}).
     */
    private static final int BEAM_WORK = 240_000;

    /** The beam width of the heuristic for a cluster of n nodes. */
    static int beamWidth(int n) {
        long cube = (long) Math.max(1, n) * n * n;
        return (int) Math.max(BEAM_WIDTH, BEAM_WORK / cube);
    }

    private final PerformanceModel model;
    private final long exactStepBudget;
    private final int exactMaxNodes;
    /** Whether the beam only seeds the exact search where one follows (the replica planner's screening). */
    private final boolean seedOnlyBeam;

    /**
     * Creates a solver.
     *
     * @param model the performance model that scores placements; not null
     */
    public PlacementSolver(PerformanceModel model) {
        this(model, EXACT_STEP_BUDGET);
    }

    /** A solver with another exact-search budget (tests of the fallback). */
    PlacementSolver(PerformanceModel model, long exactStepBudget) {
        this(model, exactStepBudget, EXACT_MAX_NODES);
    }

    /**
     * A solver with another exact-search budget and size limit (tests that compare the heuristic with the exact
     * search beyond {@link #EXACT_MAX_NODES}); the exact search's node sets are {@code int} bit sets.
     */
    PlacementSolver(PerformanceModel model, long exactStepBudget, int exactMaxNodes) {
        this(model, exactStepBudget, exactMaxNodes, false);
    }

    /**
     * A solver whose beam, with {@code seedOnlyBeam}, only seeds the exact search where one follows (its first
     * water-filled best, not polished or finished): far cheaper on a few nodes, and the exact search, given the
     * steps, finds the same optimum. The replica planner screens its thousands of small groups with it.
     */
    PlacementSolver(PerformanceModel model, long exactStepBudget, int exactMaxNodes, boolean seedOnlyBeam) {
        if (exactMaxNodes < 0 || exactMaxNodes > 30) {
            throw new IllegalArgumentException("exactMaxNodes must be 0 to 30, was " + exactMaxNodes);
        }
        this.model = Objects.requireNonNull(model, "model");
        this.exactStepBudget = exactStepBudget;
        this.exactMaxNodes = exactMaxNodes;
        this.seedOnlyBeam = seedOnlyBeam;
    }

    /** @return the performance model this solver scores with */
    public PerformanceModel model() {
        return model;
    }

    /**
     * Solves a request.
     *
     * @param request the model, cluster, links, objective, workload, max model length and optional first node;
     *                not null
     * @return the best placement with its prediction, a plain-words explanation and the nodes left out
     * @throws InfeasiblePlacementException saying which constraint fails and by how much when no placement fits
     */
    public Solution solve(PlacementRequest request) {
        return solve(request, false);
    }

    Solution solve(PlacementRequest request, boolean heuristicOnly) {
        return solve(request, heuristicOnly, true);
    }

    /**
     * Solves; without {@code explain} the answer's explanation is empty and an infeasible request's exception
     * says only that nothing fits (the replica planner solves thousands of groups and shows none of that).
     */
    Solution solve(PlacementRequest request, boolean heuristicOnly, boolean explain) {
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        // One search per tensor-parallel size (1 unless some node has several GPUs); every size must serve the
        // most requests at once that any size can, and the best score wins, the smaller size on a tie.
        int[] sizes = TensorParallel.sizes(request);
        PipelineCosts[] natural = new PipelineCosts[sizes.length];
        int[] served = new int[sizes.length];
        int most = 0;
        for (int i = 0; i < sizes.length; i++) {
            natural[i] = new PipelineCosts(request, model.parameters(), sizes[i]);
            served[i] = servedMost(natural[i], heuristicOnly);
            most = Math.max(most, served[i]);
        }
        int chosen = -1;
        Found found = null;
        PipelineCosts costs = null;
        boolean proven = true;
        long stoppedAfter = 0;
        List<Prediction> otherSizes = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            if (served[i] < most) {
                continue;
            }
            PipelineCosts c = natural[i].requiring(most);
            Found f = search(c, request.objective(), heuristicOnly);
            if (f == null) {
                continue;
            }
            proven &= f.proven();
            stoppedAfter += f.stoppedAfterSteps();
            if (found == null || f.score() < found.score() - 1e-10 * Math.abs(found.score())) {
                if (found != null) {
                    otherSizes.add(model.predict(found.placement(costs), costs));
                }
                chosen = i;
                found = f;
                costs = c;
            } else {
                otherSizes.add(model.predict(f.placement(c), c));
            }
        }
        if (found == null) {
            throw new InfeasiblePlacementException(explain ? Diagnosis.explain(this, natural[0].requiring(served[0]))
                    : "no placement fits");
        }
        Placement placement = found.placement(costs);
        Prediction best = model.predict(placement, costs);
        List<String> excluded = new ArrayList<>();
        for (String id : costs.ids) {
            if (!placement.uses(id)) {
                excluded.add(id);
            }
        }
        if (!explain) {
            return new Solution(best, "", excluded, (System.nanoTime() - start) / 1e6, proven);
        }
        String explanation = Rationale.explain(model, costs, best, excluded, !proven);
        explanation += Rationale.tensorParallel(costs, best, otherSizes);
        boolean raised = costs.floorConcurrency > natural[chosen].floorConcurrency;
        explanation += Rationale.servedLoad(model, costs, best,
                raised ? resplit(natural[chosen], request.objective(), placement) : null);
        if (stoppedAfter > 0) {
            explanation += " The exact search stopped after " + stoppedAfter
                    + " steps (its budget); this placement is the best found, not proven optimal.";
        }
        double millis = (System.nanoTime() - start) / 1e6;
        return new Solution(best, explanation, excluded, millis, proven);
    }

    /**
     * The trade-off frontier: the placements that no other eligible placement beats on TTFT, ITL and output
     * throughput at once (Pareto-optimal), at most {@code max}, spread along the frontier, sorted by TTFT. It
     * always holds the best placement for each of TTFT, ITL, throughput and balanced, and the request's own
     * objective's choice, each marked with what it trades against that choice. Costs about a dozen solves.
     *
     * @param request the request; its objective's bounds apply to every point; not null
     * @param max     the most points to list; at least 1 (about 8 reads well)
     * @return the points, at least the objective's choice
     * @throws InfeasiblePlacementException when no placement fits
     * @throws IllegalArgumentException     if {@code max} is less than 1
     */
    public List<FrontierPoint> frontier(PlacementRequest request, int max) {
        Objects.requireNonNull(request, "request");
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        return Frontier.of(this, request, max);
    }

    /**
     * One placement on the trade-off frontier.
     *
     * @param prediction the placement and its prediction (always fits)
     * @param chosen     whether it is the request's objective's choice
     * @param trade      in plain words, what it gains and what it costs against that choice, in percent
     */
    public record FrontierPoint(Prediction prediction, boolean chosen, String trade) {
        /**
         * Validates the fields.
         *
         * @param prediction the placement and its prediction; not null
         * @param chosen     whether it is the request's objective's choice
         * @param trade      in plain words, what it gains and costs against that choice, in percent; not null
         */
        public FrontierPoint {
            Objects.requireNonNull(prediction, "prediction");
            Objects.requireNonNull(trade, "trade");
        }
    }

    /**
     * Whether any placement of the request fits (its memory and links), its objective's bounds aside: what
     * {@link #solve} needs before it searches, at a fraction of its cost (no placement is ranked).
     */
    boolean anyFits(PlacementRequest request) {
        for (int size : TensorParallel.sizes(request)) {
            if (anyEligible(new PipelineCosts(request, model.parameters(), size), false)) {
                return true;
            }
        }
        return false;
    }

    /** The most of the workload's requests any placement of these terms runs at once ({@link ServedLoad}). */
    private int servedMost(PipelineCosts natural, boolean heuristicOnly) {
        int first = natural.request.firstNodeId() == null ? -1 : natural.indexOf(natural.request.firstNodeId());
        return ServedLoad.mostSequences(natural, first, c -> anyEligible(c, heuristicOnly));
    }

    /**
     * The best split of the chosen nodes in their order when fewer requests at once were allowed, or null: what
     * the explanation names as the winner had the load not been required. Polynomial (one split search of one
     * path), so it costs next to nothing beside the solve.
     */
    private static Found resplit(PipelineCosts natural, Objective objective, Placement chosen) {
        int[] path = chosen.nodeIds().stream().mapToInt(natural::indexOf).toArray();
        SplitEvaluator ev = new SplitEvaluator(natural, objective);
        double[] links = ev.linkTerms(path);
        int[] layers = new int[path.length];
        double score = ev.bestSplit(path, links, ev.fitCaps(path), layers, true);
        return score < Double.POSITIVE_INFINITY ? new Found(path, layers, score, false, 0) : null;
    }

    /**
     * Whether {@link #search} finds any eligible placement, at a fraction of its cost: the beam stops at the first
     * pipeline that fits (it would keep that one, so the search ends with a placement exactly when this is true),
     * and only when it finds none does the exact search (up to {@value #EXACT_MAX_NODES} nodes) run, as in the
     * search. Nothing is ranked, refined or tie-broken, since any placement answers the question.
     */
    boolean anyEligible(PipelineCosts costs, boolean heuristicOnly) {
        if (costs.n == 0 || costs.sequenceTokens > costs.request.maxModelLen()) {
            return false;
        }
        int first = costs.request.firstNodeId() == null ? -1 : costs.indexOf(costs.request.firstNodeId());
        Objective objective = ServedLoad.anyPlacement();
        boolean exactFollows = !heuristicOnly && costs.n <= EXACT_MAX_NODES;
        BeamSearch beam = new BeamSearch(costs, new SplitEvaluator(costs, objective),
                exactFollows ? BEAM_WIDTH : beamWidth(costs.n), false);
        if (beam.anyFits(first)) {
            return true;
        }
        if (!exactFollows) {
            return false;
        }
        ExactSearch exact = new ExactSearch(costs, objective);
        exact.run(first, Double.POSITIVE_INFINITY, exactStepBudget);
        return exact.bestFirst >= 0 && exact.bestScore < Double.POSITIVE_INFINITY;
    }

    /** The best path and split, or null when nothing is eligible. */
    Found search(PipelineCosts costs, Objective objective, boolean heuristicOnly) {
        if (costs.n == 0 || costs.sequenceTokens > costs.request.maxModelLen()) {
            return null;
        }
        int first = costs.request.firstNodeId() == null ? -1 : costs.indexOf(costs.request.firstNodeId());
        SplitEvaluator ev = new SplitEvaluator(costs, objective);
        boolean exactFollows = !heuristicOnly && costs.n <= exactMaxNodes;
        // Before the exact search the beam only supplies a first incumbent, so the narrow one does.
        boolean seedOnly = exactFollows && seedOnlyBeam;
        BeamSearch beam = new BeamSearch(costs, ev,
                seedOnly ? SEED_BEAM_WIDTH : exactFollows ? BEAM_WIDTH : beamWidth(costs.n), seedOnly);
        beam.run(first);
        boolean proven = false;
        long steps = 0;
        int[] path = beam.bestPath;
        int[] layers = beam.bestLayers;
        double score = beam.bestScore;
        if (exactFollows) {
            ExactSearch exact = new ExactSearch(costs, objective);
            // A hair above the heuristic's score, so that the exact search also records a placement that only ties
            // with the heuristic's (the tie-break below then starts from an exact answer).
            exact.run(first, score + 1e-9 * Math.abs(score), exactStepBudget);
            proven = !exact.stopped;
            steps = exact.steps();
            if (exact.bestFirst >= 0) {
                path = exact.bestPath();
                layers = exact.layersFor(path);
                score = exact.bestScore;
            }
        }
        if (path == null || !(score < Double.POSITIVE_INFINITY)) {
            return null;
        }
        return TieBreak.earliest(costs, ev, new Found(path, layers, score, proven, proven ? 0 : steps), first);
    }

    /**
     * A path and split with its score; {@code proven} when the exact search finished (the score is optimal),
     * {@code stoppedAfterSteps} &gt; 0 when it stopped at its budget after that many steps.
     */
    record Found(int[] path, int[] layers, double score, boolean proven, long stoppedAfterSteps) {
        Placement placement(PipelineCosts c) {
            List<String> ids = new ArrayList<>();
            List<Integer> counts = new ArrayList<>();
            for (int r = 0; r < path.length; r++) {
                ids.add(c.ids[path[r]]);
                counts.add(layers[r]);
            }
            return Placement.of(ids, counts).withTensorParallelSize(c.tensorParallelSize);
        }
    }

    /**
     * The solver's answer.
     *
     * @param best          the best placement and its prediction (always fits)
     * @param explanation   in plain words: the placement, its predicted metrics, and why each node left out was
     *                      left out
     * @param excludedNodes ids of the cluster's nodes the placement does not use, in cluster order
     * @param solveMillis   wall time the solve took, in ms
     * @param proven        true when the placement is proven best for the model (the exact search finished);
     *                      false when it comes from the heuristic (more than {@value #EXACT_MAX_NODES} nodes) or
     *                      the exact search stopped at its work budget (the explanation then says so)
     */
    public record Solution(Prediction best, String explanation, List<String> excludedNodes, double solveMillis,
            boolean proven) {

        /**
         * Validates the fields and copies the list.
         *
         * @param best          the best placement and its prediction; not null
         * @param explanation   in plain words: the placement, its predicted metrics, why nodes were left out; not null
         * @param excludedNodes ids of the cluster's nodes the placement does not use, in cluster order; not null
         * @param solveMillis   wall time the solve took, in ms
         * @param proven        whether the placement is proven best (the exact search finished)
         */
        public Solution {
            Objects.requireNonNull(best, "best");
            Objects.requireNonNull(explanation, "explanation");
            excludedNodes = List.copyOf(excludedNodes);
        }

        /**
         * A solution not proven optimal ({@code proven} false); kept for callers of the original four-field form.
         *
         * @param best          the best placement and its prediction; not null
         * @param explanation   the explanation; not null
         * @param excludedNodes ids of the nodes left out; not null
         * @param solveMillis   wall time the solve took, in ms
         */
        public Solution(Prediction best, String explanation, List<String> excludedNodes, double solveMillis) {
            this(best, explanation, excludedNodes, solveMillis, false);
        }
    }
}
