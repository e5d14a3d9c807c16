package dev.placement.core;

import dev.placement.api.Objective;
import java.util.Arrays;

/**
 * Scores ordered node paths with layer splits using the exact model arithmetic of {@link PipelineCosts}, and
 * finds good splits in polynomial time: the best of the {@link CheapSplits} by exact score, then a local search
 * that moves one or two layers while the score improves. Used by the heuristic (which seeds the exact search),
 * the tie-break and the explanation. Not thread-safe (scratch arrays); one per solve.
 */
final class SplitEvaluator {
    /** Largest pipeline for which the local search also tries moving two layers at once (O(K³) per step). */
    static final int PAIR_MOVE_MAX_STAGES = 12;

    final PipelineCosts c;
    final Objective objective;
    private final CheapSplits cheap;
    private final double[] out = new double[PipelineCosts.RESULTS];

    SplitEvaluator(PipelineCosts c, Objective objective) {
        this.c = c;
        this.objective = objective;
        this.cheap = new CheapSplits(c);
    }

    /** Fit caps: the most layers each path position can hold with KV for one max-model-len sequence. */
    int[] fitCaps(int[] path) {
        int k = path.length;
        int[] caps = new int[k];
        long min = c.tokensFor(c.floorConcurrency);
        for (int r = 0; r < k; r++) {
            caps[r] = c.maxLayers(path[r], r == 0, r == k - 1, min);
        }
        return caps;
    }

    /**
     * Σ of link terms of a closed path: {sumOneWay, sumMsPerByteFwd, maxMsPerByteFwd, msPerByteReturn}, or null
     * if a link is unknown.
     */
    double[] linkTerms(int[] path) {
        int k = path.length;
        double[] t = new double[4];
        if (k == 1) {
            return t;
        }
        for (int r = 0; r < k; r++) {
            int from = path[r];
            int to = path[(r + 1) % k];
            if (!c.linkKnown(from, to)) {
                return null;
            }
            t[0] += c.oneWayMillis[from][to];
            if (r == k - 1) {
                t[3] = c.millisPerByte[from][to];
            } else {
                t[1] += c.millisPerByte[from][to];
                t[2] = Math.max(t[2], c.millisPerByte[from][to]);
            }
        }
        return t;
    }

    /**
     * Exact score of a split of a path (lower is better); +∞ when it does not fit, runs fewer sequences at once
     * than the costs' floor or breaks a bound. Fills {@code metrics} (as {@link PipelineCosts#metrics} does)
     * when not null and the split fits.
     */
    double score(int[] path, int[] layers, double[] links, double[] metrics) {
        int k = path.length;
        int b = c.concurrency;
        for (int r = 0; r < k; r++) {
            int s = c.stageSequences(path[r], layers[r], r == 0, r == k - 1);
            if (s < 0) {
                return Double.POSITIVE_INFINITY;
            }
            b = Math.min(b, s);
        }
        if (b < c.floorConcurrency) {
            return Double.POSITIVE_INFINITY; // another placement serves more of the load
        }
        double q = (double) b / Math.min(k, b);
        double sumDec = 0;
        double maxDec = 0;
        double sumPre = 0;
        double maxPre = 0;
        for (int r = 0; r < k; r++) {
            double d = c.decodeMillis(path[r], layers[r], r == k - 1, q);
            double p = c.prefillMillis(path[r], layers[r], r == k - 1);
            sumDec += d;
            maxDec = Math.max(maxDec, d);
            sumPre += p;
            maxPre = Math.max(maxPre, p);
        }
        double[] o = metrics != null ? metrics : out;
        c.metrics(k, b, sumDec, maxDec, sumPre, maxPre, links[0], links[1], links[2], links[3], o);
        return ObjectiveScore.score(objective, o);
    }

    /**
     * A good split of a path in polynomial time: the best of decode-balanced, prefill-balanced and
     * KV-balanced water-filling, of filling the fastest stages first, of water-filling under the caps of the top
     * concurrency and of filling the stage with the least room, optionally improved by moving single layers while
     * the exact score improves.
     *
     * @return the exact score of the split written to {@code best}; +∞ when nothing fits
     */
    double bestSplit(int[] path, double[] links, int[] caps, int[] best, boolean localSearch) {
        int k = path.length;
        long capSum = 0;
        for (int cap : caps) {
            if (cap < 1) {
                return Double.POSITIVE_INFINITY;
            }
            capSum += cap;
        }
        if (capSum < c.layers || links == null) {
            return Double.POSITIVE_INFINITY;
        }
        double bestScore = Double.POSITIVE_INFINITY;
        int[] trial = new int[k];
        double q = (double) c.floorConcurrency / Math.min(k, c.floorConcurrency);
        double[] decW = new double[k];
        double[] preW = new double[k];
        for (int r = 0; r < k; r++) {
            decW[r] = c.decodeMillis(path[r], 1, false, q);
            preW[r] = c.prefillMillis(path[r], 1, false);
        }
        int[] decodeFilled = new int[k];
        int[] prefillFilled = new int[k];
        for (int mode = 0; mode < 5; mode++) {
            switch (mode) {
                case 0 -> cheap.waterFill(decW, path, caps, trial, true, q);
                case 1 -> cheap.waterFill(preW, path, caps, trial, false, q);
                case 2 -> cheap.kvBalanced(path, caps, trial);
                case 3 -> cheap.fastestFirst(decW, caps, trial);
                default -> cheap.fastestFirst(preW, caps, trial);
            }
            if (mode < 2) {
                System.arraycopy(trial, 0, mode == 0 ? decodeFilled : prefillFilled, 0, k);
            }
            double s = score(path, trial, links, null);
            if (mode == 0 || s < bestScore) {
                bestScore = s;
                System.arraycopy(trial, 0, best, 0, k);
            }
        }
        // The fit caps admit only the floor concurrency. Two more candidates reach the other end of the KV range,
        // where water-filling under the fit caps never goes: caps that keep KV cache for the top concurrency
        // (they may give a small node only one or two layers), and the stage with the least room filled to its
        // cap so that the KV cache binds at the floor (fewer sequences at once decode faster).
        if (k > 1) {
            int[] topCaps = new int[k];
            long tokens = c.tokensFor(c.topConcurrency);
            long sum = 0;
            int tight = 0;
            for (int r = 0; r < k; r++) {
                topCaps[r] = Math.min(caps[r], c.maxLayers(path[r], r == 0, r == k - 1, tokens));
                sum += topCaps[r];
                if (caps[r] < caps[tight]) {
                    tight = r;
                }
            }
            boolean topFits = sum >= c.layers && Arrays.stream(topCaps).min().getAsInt() >= 1;
            // Each only when it can differ from the water-filled splits already scored.
            if (c.topConcurrency > c.floorConcurrency && topFits && exceeds(decodeFilled, topCaps)) {
                cheap.waterFill(decW, path, topCaps, trial, true, q);
                bestScore = keepBetter(path, trial, links, best, bestScore);
            }
            if (c.topConcurrency > c.floorConcurrency && topFits && exceeds(prefillFilled, topCaps)) {
                cheap.waterFill(preW, path, topCaps, trial, false, q);
                bestScore = keepBetter(path, trial, links, best, bestScore);
            }
            if (caps[tight] <= c.layers - (k - 1) && decodeFilled[tight] < caps[tight]) {
                cheap.fillTightest(decW, decodeFilled, caps, trial, tight);
                bestScore = keepBetter(path, trial, links, best, bestScore);
            }
        }
        if (localSearch && k > 1) {
            bestScore = improve(path, links, caps, best, bestScore);
        }
        return bestScore;
    }

    private static boolean exceeds(int[] layers, int[] caps) {
        for (int r = 0; r < layers.length; r++) {
            if (layers[r] > caps[r]) {
                return true;
            }
        }
        return false;
    }

    private double keepBetter(int[] path, int[] trial, double[] links, int[] best, double bestScore) {
        double s = score(path, trial, links, null);
        if (s < bestScore) {
            System.arraycopy(trial, 0, best, 0, trial.length);
            return s;
        }
        return bestScore;
    }

    /** How far a stage's layer count may move from the primed split and still read its terms from the prime. */
    private static final int PRIMED_REACH = 2;
    private static final int PRIMED_SPAN = 2 * PRIMED_REACH + 1;

    /**
     * The split {@link #improve} stands on and its stages' terms at that layer count ± {@link #PRIMED_REACH}:
     * decode at {@link #primedQ}, prefill and sequences, at {@code [r × PRIMED_SPAN + PRIMED_REACH + delta]}.
     */
    private int[] primedLayers = new int[0];
    private double[] primedDecode = new double[0];
    private double[] primedPrefill = new double[0];
    private int[] primedSequences = new int[0];
    private double primedQ;

    /** Records the stage terms around a split, so that {@link #scoreMoved} computes no stage term of a move. */
    private void prime(int[] path, int[] layers) {
        int k = path.length;
        if (primedLayers.length < k) {
            primedLayers = new int[k];
            primedDecode = new double[k * PRIMED_SPAN];
            primedPrefill = new double[k * PRIMED_SPAN];
            primedSequences = new int[k * PRIMED_SPAN];
        }
        System.arraycopy(layers, 0, primedLayers, 0, k);
        int b = c.concurrency;
        for (int r = 0; r < k; r++) {
            for (int d = -PRIMED_REACH; d <= PRIMED_REACH; d++) {
                primedSequences[r * PRIMED_SPAN + PRIMED_REACH + d] =
                        c.stageSequences(path[r], layers[r] + d, r == 0, r == k - 1);
            }
            b = Math.min(b, primedSequences[r * PRIMED_SPAN + PRIMED_REACH]);
        }
        primedQ = b < 1 ? Double.NaN : (double) b / Math.min(k, b);
        for (int r = 0; r < k; r++) {
            for (int d = -PRIMED_REACH; d <= PRIMED_REACH; d++) {
                int l = Math.max(1, layers[r] + d);
                primedDecode[r * PRIMED_SPAN + PRIMED_REACH + d] = c.decodeMillis(path[r], l, r == k - 1, primedQ);
                primedPrefill[r * PRIMED_SPAN + PRIMED_REACH + d] = c.prefillMillis(path[r], l, r == k - 1);
            }
        }
    }

    /**
     * {@link #score} of {@code layers}, which differ from the primed split at most at stages x, y and z (-1 for
     * none) by at most {@link #PRIMED_REACH} layers each: the same arithmetic in the same order on the same
     * stage terms, so the same value to the last bit.
     */
    private double scoreMoved(int[] path, int[] layers, double[] links, int x, int y, int z) {
        int k = path.length;
        int b = c.concurrency;
        for (int r = 0; r < k; r++) {
            int at = r * PRIMED_SPAN + PRIMED_REACH + (r == x || r == y || r == z ? layers[r] - primedLayers[r] : 0);
            int s = primedSequences[at];
            if (s < 0) {
                return Double.POSITIVE_INFINITY;
            }
            b = Math.min(b, s);
        }
        if (b < c.floorConcurrency) {
            return Double.POSITIVE_INFINITY;
        }
        double q = (double) b / Math.min(k, b);
        boolean sameQ = q == primedQ;
        double sumDec = 0;
        double maxDec = 0;
        double sumPre = 0;
        double maxPre = 0;
        for (int r = 0; r < k; r++) {
            int at = r * PRIMED_SPAN + PRIMED_REACH + (r == x || r == y || r == z ? layers[r] - primedLayers[r] : 0);
            double d = sameQ ? primedDecode[at] : c.decodeMillis(path[r], layers[r], r == k - 1, q);
            double p = primedPrefill[at];
            sumDec += d;
            maxDec = Math.max(maxDec, d);
            sumPre += p;
            maxPre = Math.max(maxPre, p);
        }
        c.metrics(k, b, sumDec, maxDec, sumPre, maxPre, links[0], links[1], links[2], links[3], out);
        return ObjectiveScore.score(objective, out);
    }

    /** Moves one layer at a time between stages while the exact score improves. */
    double improve(int[] path, double[] links, int[] caps, int[] layers, double score) {
        int k = path.length;
        boolean improved = true;
        int guard = 0;
        while (improved && guard++ < 4 * c.layers) {
            improved = false;
            prime(path, layers);
            double bestMove = score;
            int bi = -1;
            int bj = -1;
            for (int i = 0; i < k; i++) {
                if (layers[i] <= 1) {
                    continue;
                }
                for (int j = 0; j < k; j++) {
                    if (i == j || layers[j] >= caps[j]) {
                        continue;
                    }
                    layers[i]--;
                    layers[j]++;
                    double s = scoreMoved(path, layers, links, i, j, -1);
                    layers[i]++;
                    layers[j]--;
                    if (s < bestMove - 1e-12 * Math.abs(bestMove)) {
                        bestMove = s;
                        bi = i;
                        bj = j;
                    }
                }
            }
            if (bi >= 0) {
                layers[bi]--;
                layers[bj]++;
                score = bestMove;
                improved = true;
            } else if (k <= PAIR_MOVE_MAX_STAGES) {
                // A change of the effective concurrency can need two layers to move at once.
                score = pairMove(path, links, caps, layers, score);
                improved = score < bestMove;
            }
        }
        return score;
    }

    /** Applies the best move of two layers (from two stages to one, or from one stage to two), if it improves. */
    private double pairMove(int[] path, double[] links, int[] caps, int[] layers, double score) {
        int k = path.length;
        double best = score;
        int[] move = null;
        for (int a = 0; a < k; a++) {
            for (int b = a; b < k; b++) {
                for (int t = 0; t < k; t++) {
                    if (t == a || t == b) {
                        continue;
                    }
                    for (int dir = 0; dir < 2; dir++) {
                        // dir 0: one layer from a and one from b go to t; dir 1: two layers from t go to a and b.
                        int sign = dir == 0 ? -1 : 1;
                        layers[a] += sign;
                        layers[b] += sign;
                        layers[t] -= 2 * sign;
                        if (valid(layers, caps)) {
                            double s = scoreMoved(path, layers, links, a, b, t);
                            if (s < best - 1e-12 * Math.abs(best)) {
                                best = s;
                                move = new int[] {a, b, t, sign};
                            }
                        }
                        layers[a] -= sign;
                        layers[b] -= sign;
                        layers[t] += 2 * sign;
                    }
                }
            }
        }
        if (move != null) {
            layers[move[0]] += move[3];
            layers[move[1]] += move[3];
            layers[move[2]] -= 2 * move[3];
        }
        return best;
    }

    private static boolean valid(int[] layers, int[] caps) {
        for (int r = 0; r < layers.length; r++) {
            if (layers[r] < 1 || layers[r] > caps[r]) {
                return false;
            }
        }
        return true;
    }
}
