package dev.placement.core;

import dev.placement.api.Objective;

/**
 * The exact placement search for clusters of up to {@value PlacementSolver#EXACT_MAX_NODES} nodes: it runs its
 * phases (symmetry reduction, link frontier, bounds, split search) over one {@link NodeTables}, within one step
 * budget, and keeps the best placement they find.
 *
 * <p>Why it is exact: a placement is (first node f, node set S, last node l, the order of the middle nodes,
 * the layer counts). The order of the middle nodes changes only the link terms (Σ crossing latency, Σ and max
 * ms/byte of the forward links); the split changes only the stage terms. The score is non-decreasing in every
 * link term, so {@link LinkFrontier}, a Held-Karp pass over (S, last) keeping the Pareto-minimal link vectors,
 * loses no optimum. Each (f, S, l, link vector) gets a lower bound on the score of any split
 * ({@link CandidateBound}); candidates are visited in ascending bound and the search ends once the bound reaches
 * the incumbent. A surviving candidate is solved exactly by {@link SplitSearch}. Interchangeable nodes are
 * enumerated in one canonical order only, which keeps the search exact while clusters of identical GPUs on a
 * uniform network shrink to a few paths; a candidate whose stages run on the same kinds of node as an already
 * solved one, with no smaller link term, is skipped (it cannot score better), which covers near-identical nodes
 * with noisy RTTs (both in {@link SymmetryReduction}). An optional step budget stops the search early (then
 * {@link #stopped} is set). Not thread-safe; one per solve.
 */
final class ExactSearch {
    private final NodeTables tables;
    private final CandidateBound candidateBound;
    private final SplitSearch split;

    /** The best score found, or the seed score while nothing beat it. */
    double bestScore;
    /** The best placement's first node, -1 while nothing beat the seed score. */
    int bestFirst = -1;
    private int bestMask;
    private int bestLast;
    private double[] bestLinks;
    /** The best split: its nodes in the order {@link SplitSearch} searched them, and their layer counts. */
    private int[] bestOrder;
    private int[] bestLayers;
    /** True when {@link #run} stopped at its step budget: the best found is then not proven optimal. */
    boolean stopped;
    private long candidatesVisited;
    /** The frontier of the last run: {@link #bestPath} rebuilds the best order from it. */
    private LinkFrontier frontier;

    ExactSearch(PipelineCosts c, Objective objective) {
        this.tables = new NodeTables(c);
        this.candidateBound = new CandidateBound(tables, objective);
        this.split = new SplitSearch(c, objective);
    }

    /** The interchangeable classes of nodes ({@link SymmetryReduction#lowerMates}), for tests of the reduction. */
    static int[] lowerMates(PipelineCosts c, int pinnedFirst) {
        return SymmetryReduction.lowerMates(c, pinnedFirst);
    }

    /**
     * Runs the search.
     *
     * @param firstNode the pinned first node, or -1
     * @param seedScore the score of a known placement (the heuristic's), +∞ if none; only strictly better
     *                  placements are recorded
     */
    void run(int firstNode, double seedScore) {
        run(firstNode, seedScore, Long.MAX_VALUE);
    }

    /**
     * Runs the search with a deterministic work budget: at most about {@code stepBudget} steps (candidates
     * solved plus depth-first search nodes). When the budget runs out, {@link #stopped} is set and the best
     * placement found so far (if it beats {@code seedScore}) is kept; it is then not proven optimal.
     */
    void run(int firstNode, double seedScore, long stepBudget) {
        bestScore = seedScore;
        stopped = false;
        split.incumbent = seedScore;
        split.nodeLimit = stepBudget;
        SymmetryReduction symmetry = new SymmetryReduction(tables, firstNode);
        frontier = new LinkFrontier(tables, symmetry);
        Candidates candidates = new Candidates(candidateBound, seedScore);
        for (int f = 0; f < tables.n; f++) {
            if ((firstNode < 0 || f == firstNode) && symmetry.mayStart(f)) {
                frontier.offerCandidates(f, candidates);
            }
        }
        double[] links = new double[4];
        for (int i : candidates.byBound()) {
            if (!(candidates.lowerBound(i) < bestScore)) {
                break;
            }
            if (split.nodes + candidatesVisited >= stepBudget) {
                stopped = true;
                break;
            }
            candidates.links(i, links);
            if (symmetry.dominated(candidates.first(i), candidates.mask(i), candidates.last(i), links)) {
                continue;
            }
            candidatesVisited++;
            // The depth-first search counts its nodes against what the candidates left of the budget.
            split.nodeLimit = stepBudget - candidatesVisited;
            solve(candidates.first(i), candidates.mask(i), candidates.last(i), links);
        }
        if (split.nodes > split.nodeLimit) {
            stopped = true;
        }
        split.nodeLimit = Long.MAX_VALUE;
    }

    /** Solves one candidate's split, in any middle order: the order changes no stage term. */
    private void solve(int f, int mask, int last, double[] links) {
        int size = Integer.bitCount(mask);
        int[] order = new int[size];
        order[0] = f;
        int pos = 1;
        for (int i = 0; i < tables.n; i++) {
            if ((mask & (1 << i)) != 0 && i != f && i != last) {
                order[pos++] = i;
            }
        }
        if (size > 1) {
            order[size - 1] = last;
        }
        split.search(order, links);
        if (split.incumbent < bestScore) {
            bestScore = split.incumbent;
            bestFirst = f;
            bestMask = mask;
            bestLast = last;
            bestLinks = links.clone();
            bestOrder = split.bestPath;
            bestLayers = split.bestLayers;
        }
    }

    /** Steps {@link #run} took: candidates solved plus depth-first search nodes. */
    long steps() {
        return candidatesVisited + split.nodes;
    }

    /** A middle order of the best candidate whose link vector matches; the node path, or null if none. */
    int[] bestPath() {
        return bestFirst < 0 ? null : frontier.path(bestFirst, bestMask, bestLast, bestLinks);
    }

    /** The best split's layer counts, in the order of {@code path} (which holds the best candidate's nodes). */
    int[] layersFor(int[] path) {
        int[] out = new int[path.length];
        for (int r = 0; r < path.length; r++) {
            for (int j = 0; j < bestOrder.length; j++) {
                if (bestOrder[j] == path[r]) {
                    out[r] = bestLayers[j];
                }
            }
        }
        return out;
    }
}
