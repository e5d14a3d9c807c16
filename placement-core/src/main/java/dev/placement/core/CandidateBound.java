package dev.placement.core;

import dev.placement.api.Objective;

/**
 * A lower bound on the score of every split of an exact-search candidate (first node f, node set S, last node,
 * link vector), from relaxations that are each valid for every split: every stage at least one layer, the
 * other layers spread by an independent greedy minimum of Σ decode and of Σ prefill under the fit caps, the
 * largest stage at least the mean, and the effective concurrency ranging over an interval cut into a few
 * pieces, each bounded by {@link ScoreBound}. Cheap enough to compute for every candidate, which is what lets
 * the exact search visit candidates in ascending bound and stop at the first that reaches the incumbent.
 * Not thread-safe (its {@link ScoreBound}'s scratch); one per solve.
 */
final class CandidateBound {
    /** Concurrency intervals up to this size are bounded per value; larger ones in as many pieces. */
    private static final int PIECES = 8;

    private final NodeTables t;
    private final PipelineCosts c;
    private final ScoreBound score;

    CandidateBound(NodeTables t, Objective objective) {
        this.t = t;
        this.c = t.c;
        this.score = new ScoreBound(t.c, objective);
    }

    /** The bound for (f, mask, last) with these link terms; +∞ when no split fits. */
    double of(int f, int mask, int last, double[] links) {
        int k = Integer.bitCount(mask);
        long capSum = 0;
        double maxAlpha = 0;
        double maxGamma = 0;
        double sumDec = t.decLast[last];
        double sumPre = t.preLast[last];
        for (int i = 0; i < t.n; i++) {
            if ((mask & (1 << i)) == 0) {
                continue;
            }
            int cap = t.capFit[i][NodeTables.role(i, f, last)];
            if (cap < 1) {
                return Double.POSITIVE_INFINITY;
            }
            capSum += cap;
            sumDec += t.alpha[i];
            sumPre += t.gamma[i];
            maxAlpha = Math.max(maxAlpha, t.alpha[i] + (i == last ? t.decLast[i] : 0));
            maxGamma = Math.max(maxGamma, t.gamma[i] + (i == last ? t.preLast[i] : 0));
        }
        if (capSum < t.layers) {
            return Double.POSITIVE_INFINITY;
        }
        sumDec += greedy(t.alphaOrder, t.alpha, mask, f, last, t.layers - k);
        sumPre += greedy(t.gammaOrder, t.gamma, mask, f, last, t.layers - k);
        double maxDec = Math.max(maxAlpha, sumDec / k);
        double maxPre = Math.max(maxGamma, sumPre / k);
        return overConcurrency(k, sumDec, maxDec, sumPre, maxPre, links, c.floorConcurrency, c.topConcurrency);
    }

    /**
     * The bound for every split of one ordered path, from the same relaxations: what lets the beam skip scoring a
     * path that cannot rank among those it keeps.
     *
     * @param path  the nodes in order
     * @param caps  the path's fit caps ({@code SplitEvaluator.fitCaps})
     * @param links the path's link terms ({@code SplitEvaluator.linkTerms}); not null
     * @return the bound; +∞ when no split fits
     */
    double ofPath(int[] path, int[] caps, double[] links) {
        int k = path.length;
        int last = path[k - 1];
        // Every split runs at least the sequences its most loaded stage can (at most its cap, leaving one layer to
        // each other stage), and an eligible one at least the floor: its micro-batch is at least that one's.
        int bLo = c.concurrency;
        for (int r = 0; r < k; r++) {
            bLo = Math.min(bLo, c.stageSequences(path[r], Math.min(caps[r], t.layers - k + 1), r == 0, r == k - 1));
        }
        bLo = Math.max(bLo, c.floorConcurrency);
        if (bLo > c.topConcurrency) {
            return Double.POSITIVE_INFINITY;
        }
        double q = (double) bLo / Math.min(k, bLo);
        double[] alpha = new double[k];
        double[] gamma = new double[k];
        long capSum = 0;
        double maxAlpha = 0;
        double maxGamma = 0;
        double sumDec = t.decLast[last];
        double sumPre = t.preLast[last];
        for (int r = 0; r < k; r++) {
            if (caps[r] < 1) {
                return Double.POSITIVE_INFINITY;
            }
            int i = path[r];
            capSum += caps[r];
            alpha[r] = c.decodeMillis(i, 1, false, q);
            gamma[r] = t.gamma[i];
            sumDec += alpha[r];
            sumPre += gamma[r];
            maxAlpha = Math.max(maxAlpha, alpha[r] + (r == k - 1 ? t.decLast[i] : 0));
            maxGamma = Math.max(maxGamma, gamma[r] + (r == k - 1 ? t.preLast[i] : 0));
        }
        if (capSum < t.layers) {
            return Double.POSITIVE_INFINITY;
        }
        sumDec += greedy(caps, alpha, t.layers - k);
        sumPre += greedy(caps, gamma, t.layers - k);
        double maxDec = Math.max(maxAlpha, sumDec / k);
        double maxPre = Math.max(maxGamma, sumPre / k);
        return overConcurrency(k, sumDec, maxDec, sumPre, maxPre, links, bLo, c.topConcurrency);
    }

    /** {@link #greedy(int[], double[], int, int, int, int)} over a path's stages, their caps and slopes. */
    private static double greedy(int[] caps, double[] slope, int extra) {
        int k = caps.length;
        boolean[] filled = new boolean[k];
        double sum = 0;
        while (extra > 0) {
            int pick = -1;
            for (int r = 0; r < k; r++) {
                if (!filled[r] && (pick < 0 || slope[r] < slope[pick])) {
                    pick = r;
                }
            }
            if (pick < 0) {
                break;
            }
            filled[pick] = true;
            int take = Math.min(extra, caps[pick] - 1);
            sum += take * slope[pick];
            extra -= take;
        }
        return sum;
    }

    /** The least extra time of {@code extra} layers beyond one per stage: the cheapest nodes filled first. */
    private double greedy(int[] order, double[] slope, int mask, int f, int last, int extra) {
        double sum = 0;
        for (int idx = 0; idx < t.n && extra > 0; idx++) {
            int i = order[idx];
            if ((mask & (1 << i)) == 0) {
                continue;
            }
            int take = Math.min(extra, t.capFit[i][NodeTables.role(i, f, last)] - 1);
            sum += take * slope[i];
            extra -= take;
        }
        return sum;
    }

    /** The least of the bounds over pieces of [bLo, bHi]: narrower pieces bound tighter. */
    private double overConcurrency(int k, double sumDec, double maxDec, double sumPre, double maxPre,
            double[] links, int bLo, int bHi) {
        int range = bHi - bLo + 1;
        double best = Double.POSITIVE_INFINITY;
        if (range <= PIECES) {
            for (int b = bLo; b <= bHi; b++) {
                best = Math.min(best, score.of(k, sumDec, maxDec, sumPre, maxPre, links, b, b));
            }
            return best;
        }
        for (int s = 0; s < PIECES; s++) {
            int b1 = bLo + (int) ((long) range * s / PIECES);
            int b2 = bLo + (int) ((long) range * (s + 1) / PIECES) - 1;
            best = Math.min(best, score.of(k, sumDec, maxDec, sumPre, maxPre, links, b1, b2));
        }
        return best;
    }
}
