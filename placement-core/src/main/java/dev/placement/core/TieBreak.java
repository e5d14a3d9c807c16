package dev.placement.core;

/**
 * Makes the choice among equally good placements deterministic and natural. Two placements tie when their
 * scores differ by at most {@value #RELATIVE_EPSILON} relative (only true ties: identical GPUs on identical
 * links, middle stages whose order no link term sees, layers moved between stages that take the same time).
 * Among ties the preferred placement is the one whose node sequence comes first in cluster order (the order of
 * {@code ClusterSnapshot.nodes()}, compared stage by stage, a shorter pipeline first when it is a prefix of the
 * other), then the one with more layers on earlier stages.
 *
 * <p>From the solver's answer, {@link #earliest} walks to tied placements that come earlier in that order, one
 * step at a time: swap two stages' nodes (keeping or carrying their layer counts), give a stage's layers to an
 * unused node, or move one layer to an earlier stage. Each step is scored with the model's arithmetic; one that
 * scores strictly better is taken as well (it can only happen after the heuristic). Polynomial: every accepted
 * step makes the placement strictly earlier, and a step costs O(n²) evaluations. Stateless.
 */
final class TieBreak {
    /** Relative score difference up to which two placements count as equally good. */
    static final double RELATIVE_EPSILON = 1e-10;

    private TieBreak() {
    }

    /** Whether {@code candidate} scores no worse than {@code reference} up to the tie epsilon. */
    static boolean ties(double candidate, double reference) {
        return candidate <= reference + RELATIVE_EPSILON * Math.abs(reference);
    }

    /** Negative when placement a comes before b in the preferred order. */
    static int compare(int[] pathA, int[] layersA, int[] pathB, int[] layersB) {
        int k = Math.min(pathA.length, pathB.length);
        for (int r = 0; r < k; r++) {
            if (pathA[r] != pathB[r]) {
                return Integer.compare(pathA[r], pathB[r]);
            }
        }
        if (pathA.length != pathB.length) {
            return Integer.compare(pathA.length, pathB.length);
        }
        for (int r = 0; r < k; r++) {
            if (layersA[r] != layersB[r]) {
                return Integer.compare(layersB[r], layersA[r]);
            }
        }
        return 0;
    }

    /**
     * The earliest tied placement reachable from a solution by single steps.
     *
     * @param firstNode the pinned first node (its stage never moves), or -1
     */
    static PlacementSolver.Found earliest(PipelineCosts c, SplitEvaluator ev, PlacementSolver.Found found,
            int firstNode) {
        int[] path = found.path().clone();
        int[] layers = found.layers().clone();
        double score = found.score();
        // Ties are judged against the best score seen, so a chain of steps cannot drift upwards.
        double reference = score;
        int k = path.length;
        int from = firstNode >= 0 ? 1 : 0;
        boolean moved = true;
        int guard = 0;
        while (moved && guard++ < 16 * (c.n + c.layers)) {
            moved = false;
            boolean[] used = new boolean[c.n];
            for (int v : path) {
                used[v] = true;
            }
            search:
            for (int a = from; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    for (int carry = 0; carry < 2; carry++) {
                        int[] p = path.clone();
                        int[] l = layers.clone();
                        p[a] = path[b];
                        p[b] = path[a];
                        if (carry == 1) {
                            l[a] = layers[b];
                            l[b] = layers[a];
                        }
                        double s = step(ev, p, l, path, layers, reference);
                        if (!Double.isNaN(s)) {
                            path = p;
                            layers = l;
                            score = s;
                            reference = Math.min(reference, s);
                            moved = true;
                            break search;
                        }
                    }
                }
                for (int j = 0; j < path[a]; j++) {
                    if (used[j]) {
                        continue;
                    }
                    int[] p = path.clone();
                    p[a] = j;
                    double s = step(ev, p, layers, path, layers, reference);
                    if (!Double.isNaN(s)) {
                        path = p;
                        score = s;
                        reference = Math.min(reference, s);
                        moved = true;
                        break search;
                    }
                }
            }
            for (int to = 0; !moved && to < k; to++) {
                for (int src = to + 1; !moved && src < k; src++) {
                    if (layers[src] <= 1) {
                        continue;
                    }
                    int[] l = layers.clone();
                    l[src]--;
                    l[to]++;
                    double s = step(ev, path, l, path, layers, reference);
                    if (!Double.isNaN(s)) {
                        layers = l;
                        score = s;
                        reference = Math.min(reference, s);
                        moved = true;
                    }
                }
            }
        }
        return new PlacementSolver.Found(path, layers, score, found.proven(), found.stoppedAfterSteps());
    }

    /** The score of a step that is earlier and ties (or improves), else NaN. */
    private static double step(SplitEvaluator ev, int[] p, int[] l, int[] path, int[] layers, double reference) {
        if (compare(p, l, path, layers) >= 0) {
            return Double.NaN;
        }
        double[] links = ev.linkTerms(p);
        if (links == null) {
            return Double.NaN;
        }
        double s = ev.score(p, l, links, null);
        return ties(s, reference) ? s : Double.NaN;
    }
}
