package dev.placement.core;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The beam's hill climb over node sets and orders from one pipeline ({@link Neighbourhood}): each round scores
 * the neighbours that might improve with a water-filled split, polishes the most promising with the local
 * search, and moves to the best if it improves, for at most {@value #ROUNDS} rounds. Lower bounds
 * ({@link CandidateBound#ofPath}) skip a neighbour that could not be among those polished or could not improve.
 * Not thread-safe (the evaluator's scratch); one per solve.
 */
final class HillClimb {
    private static final int ROUNDS = 8;
    private static final int POLISHED_NEIGHBOURS = 16;

    private final SplitEvaluator ev;
    private final CandidateBound bound;
    private final int n;

    /** Where the last climb ended: its path, its score, and its split (null when no step improved). */
    int[] path;
    double score;
    int[] layers;

    HillClimb(PipelineCosts c, SplitEvaluator ev, CandidateBound bound) {
        this.ev = ev;
        this.bound = bound;
        this.n = c.n;
    }

    /** Climbs from a pipeline; the result is in {@link #path}, {@link #score} and {@link #layers}. */
    void from(int[] start, int firstNode) {
        path = start;
        score = evaluatePath(path, null);
        layers = null;
        for (int round = 0; round < ROUNDS; round++) {
            List<int[]> candidates = Neighbourhood.of(path, firstNode, n);
            double[] cheap = new double[candidates.size()];
            Integer[] order = new Integer[candidates.size()];
            // Only the most promising are read; a neighbour that cannot be among them, or whose bound shows that no
            // split of it improves on the path, is not scored (+∞) and leaves its place to one that might.
            Threshold promising = new Threshold(POLISHED_NEIGHBOURS);
            double improves = score - 1e-12 * Math.abs(score);
            double[] lower = new double[cheap.length];
            for (int i = 0; i < cheap.length; i++) {
                int[] p = candidates.get(i);
                double[] links = ev.linkTerms(p);
                lower[i] = links == null ? Double.POSITIVE_INFINITY : bound.ofPath(p, ev.fitCaps(p), links);
                cheap[i] = Double.POSITIVE_INFINITY;
                order[i] = i;
            }
            // Most promising first, so that the threshold tightens early and skips the most.
            for (int i : Ranking.ascending(lower)) {
                if (lower[i] < improves && !(lower[i] > promising.value())) {
                    cheap[i] = evaluatePath(candidates.get(i), null);
                    promising.offer(cheap[i]);
                }
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> cheap[i]));
            int[] bestNeighbour = null;
            int[] bestNeighbourLayers = null;
            double polished = Double.POSITIVE_INFINITY;
            // A water-filled split can misjudge a neighbour; polish the few most promising before choosing. One
            // whose bound shows it can neither beat the best polished so far nor improve on the path is skipped.
            for (int i = 0; i < Math.min(POLISHED_NEIGHBOURS, order.length); i++) {
                int[] candidate = candidates.get(order[i]);
                if (bestNeighbour != null && cannotWin(candidate, Math.min(polished, improves))) {
                    continue;
                }
                int[] split = new int[candidate.length];
                double s = evaluatePath(candidate, split);
                if (s < polished) {
                    polished = s;
                    bestNeighbour = candidate;
                    bestNeighbourLayers = split;
                }
            }
            if (bestNeighbour == null || !(polished < improves)) {
                return;
            }
            path = bestNeighbour;
            score = polished;
            layers = bestNeighbourLayers;
        }
    }

    /** Whether no split of a path scores below {@code level}: its lower bound is at least that. */
    private boolean cannotWin(int[] p, double level) {
        double[] links = ev.linkTerms(p);
        return links == null || bound.ofPath(p, ev.fitCaps(p), links) >= level;
    }

    /** Scores a path with a water-filled split, or (when {@code polishInto} is given) with local search too. */
    private double evaluatePath(int[] p, int[] polishInto) {
        double[] links = ev.linkTerms(p);
        if (links == null) {
            return Double.POSITIVE_INFINITY;
        }
        int[] caps = ev.fitCaps(p);
        int[] split = polishInto != null ? polishInto : new int[p.length];
        return ev.bestSplit(p, links, caps, split, polishInto != null);
    }
}
