package dev.placement.core;

import dev.placement.api.Objective;
import java.util.Arrays;

/**
 * The exact best layer split of one fixed node path: what the exact search solves for each candidate that
 * survives its bound, and what the heuristic uses to finish its best paths.
 *
 * <p>Why it is exact: for each effective concurrency b, only splits whose KV cache makes the concurrency
 * exactly b are enumerated (every stage holds b sequences, and some stage not b + 1 unless b is the cap), so
 * every term is known per stage, and a depth-first search over the layer counts, rank by rank, prunes a branch
 * once {@link ScoreBound} for its best completion reaches the incumbent. Every leaf is scored with
 * {@link PipelineCosts#metrics}, the arithmetic {@link PerformanceModel#predict} uses. A budget of search nodes
 * stops it early, keeping the best split found so far. Not thread-safe; one per solve.
 */
final class SplitSearch {
    private final PipelineCosts c;
    private final Objective objective;
    private final ScoreBound bound;
    private final int layers;

    /** The score to beat: only strictly better splits are recorded, and each one becomes the new incumbent. */
    double incumbent;
    /** The path and layer counts of the split that last set the incumbent; null until one did. */
    int[] bestPath;
    int[] bestLayers;
    /** Depth-first search nodes visited over every search so far, and the count at which the search gives up. */
    long nodes;
    long nodeLimit = Long.MAX_VALUE;

    // The path being searched and its per-rank tables.
    private int k;
    private int[] path;
    private double[] links;
    private int b;
    /** True below the top concurrency: some stage must then be unable to hold b + 1 sequences. */
    private boolean needBinding;
    private int[] caps;
    private int[] capNext;
    private double[][] dec;
    private double[][] pre;
    private int[] sufCap;
    private double[] sufDec1;
    private double[] sufPre1;
    private double[] sufMaxDec1;
    private double[] sufMaxPre1;
    /**
     * sameAs[r]: the nearest earlier middle rank whose stage has exactly the same tables as rank r's (the same
     * GPU in the same role), or -1. With the path fixed the link terms are fixed, so layer counts can be
     * permuted among such stages without changing the score: only non-increasing counts are enumerated.
     */
    private int[] sameAs;
    private int[] decSlopeOrder;
    private int[] preSlopeOrder;
    private double[] decSlope;
    private double[] preSlope;
    private int[] current;
    private final double[] out = new double[PipelineCosts.RESULTS];

    SplitSearch(PipelineCosts c, Objective objective) {
        this.c = c;
        this.objective = objective;
        this.bound = new ScoreBound(c, objective);
        this.layers = c.layers;
    }

    /**
     * The best split of one path, for a caller with no incumbent of its own: only splits strictly better than
     * {@code incumbent} count, and the search stops after {@code nodeBudget} more nodes.
     *
     * @return the score of the split written to {@code layersOut}, or +∞ (and {@code layersOut} untouched) when
     *         no split beats the incumbent
     */
    double bestSplit(int[] path, double[] links, double incumbent, long nodeBudget, int[] layersOut) {
        this.incumbent = incumbent;
        bestPath = null;
        bestLayers = null;
        nodeLimit = nodes + nodeBudget;
        search(path.clone(), links);
        nodeLimit = Long.MAX_VALUE;
        if (bestLayers == null) {
            return Double.POSITIVE_INFINITY;
        }
        System.arraycopy(bestLayers, 0, layersOut, 0, path.length);
        return this.incumbent;
    }

    /**
     * Searches every split of a path against the {@link #incumbent}, within {@link #nodeLimit}.
     *
     * @param linkTerms the path's link vector {Σ crossing latency, Σ and max forward ms/byte, return ms/byte}
     */
    void search(int[] order, double[] linkTerms) {
        k = order.length;
        path = order;
        caps = new int[k];
        capNext = new int[k];
        current = new int[k];
        links = linkTerms;
        for (int conc = c.topConcurrency; conc >= c.floorConcurrency; conc--) {
            long minTokens = c.tokensFor(conc);
            long capSum = 0;
            boolean ok = true;
            for (int r = 0; r < k; r++) {
                caps[r] = c.maxLayers(path[r], r == 0, r == k - 1, minTokens);
                ok &= caps[r] >= 1;
                capSum += caps[r];
            }
            if (!ok || capSum < layers) {
                continue;
            }
            needBinding = conc < c.topConcurrency;
            if (needBinding) {
                long nextTokens = c.tokensFor(conc + 1);
                boolean possible = false;
                for (int r = 0; r < k; r++) {
                    capNext[r] = c.maxLayers(path[r], r == 0, r == k - 1, nextTokens);
                    possible |= caps[r] > capNext[r];
                }
                if (!possible) {
                    continue;
                }
            }
            b = conc;
            prepareTables();
            double sumDec = sufDec1[0] + extraGreedy(decSlopeOrder, decSlope, 0, layers - k);
            double sumPre = sufPre1[0] + extraGreedy(preSlopeOrder, preSlope, 0, layers - k);
            double lb = bound.of(k, sumDec, Math.max(sufMaxDec1[0], sumDec / k), sumPre,
                    Math.max(sufMaxPre1[0], sumPre / k), links, b, b);
            if (!(lb < incumbent)) {
                continue;
            }
            dfs(0, layers, 0, 0, 0, 0, false);
        }
    }

    /** Stage times per layer count at the concurrency being searched, and their suffix aggregates. */
    private void prepareTables() {
        double q = (double) b / Math.min(k, b);
        dec = new double[k][];
        pre = new double[k][];
        decSlope = new double[k];
        preSlope = new double[k];
        for (int r = 0; r < k; r++) {
            boolean last = r == k - 1;
            dec[r] = new double[caps[r] + 1];
            pre[r] = new double[caps[r] + 1];
            for (int l = 1; l <= caps[r]; l++) {
                dec[r][l] = c.decodeMillis(path[r], l, last, q);
                pre[r][l] = c.prefillMillis(path[r], l, last);
            }
            // Stage times are maxima of affine functions of l, hence convex: the first step is the smallest slope.
            decSlope[r] = caps[r] >= 2 ? dec[r][2] - dec[r][1] : 0;
            preSlope[r] = caps[r] >= 2 ? pre[r][2] - pre[r][1] : 0;
        }
        sufCap = new int[k + 1];
        sufDec1 = new double[k + 1];
        sufPre1 = new double[k + 1];
        sufMaxDec1 = new double[k + 1];
        sufMaxPre1 = new double[k + 1];
        for (int r = k - 1; r >= 0; r--) {
            sufCap[r] = sufCap[r + 1] + caps[r];
            sufDec1[r] = sufDec1[r + 1] + dec[r][1];
            sufPre1[r] = sufPre1[r + 1] + pre[r][1];
            sufMaxDec1[r] = Math.max(sufMaxDec1[r + 1], dec[r][1]);
            sufMaxPre1[r] = Math.max(sufMaxPre1[r + 1], pre[r][1]);
        }
        decSlopeOrder = NodeTables.ascending(decSlope);
        preSlopeOrder = NodeTables.ascending(preSlope);
        sameAs = new int[k];
        for (int r = 0; r < k; r++) {
            sameAs[r] = -1;
            for (int e = r - 1; e > 0 && r < k - 1; e--) {
                if (caps[e] == caps[r] && (!needBinding || capNext[e] == capNext[r])
                        && Arrays.equals(dec[e], dec[r]) && Arrays.equals(pre[e], pre[r])) {
                    sameAs[r] = e;
                    break;
                }
            }
        }
    }

    /** Least extra time of spreading {@code extra} layers (beyond one each) over stages from {@code from} on. */
    private double extraGreedy(int[] order, double[] slope, int from, int extra) {
        double sum = 0;
        for (int idx = 0; idx < k && extra > 0; idx++) {
            int r = order[idx];
            if (r < from) {
                continue;
            }
            int take = Math.min(extra, caps[r] - 1);
            sum += take * slope[r];
            extra -= take;
        }
        return sum;
    }

    /**
     * Chooses rank r's layer count, then the rest's.
     *
     * @param bindsAlready whether an earlier rank already cannot hold b + 1 sequences
     */
    private void dfs(int r, int remaining, double sumDec, double maxDec, double sumPre, double maxPre,
            boolean bindsAlready) {
        if (++nodes > nodeLimit) {
            return;
        }
        if (r == k - 1) {
            int l = remaining;
            if (l < 1 || l > caps[r]) {
                return;
            }
            boolean binding = bindsAlready || (needBinding && l > capNext[r]);
            if (needBinding && !binding) {
                return;
            }
            current[r] = l;
            double d = dec[r][l];
            double p = pre[r][l];
            c.metrics(k, b, sumDec + d, Math.max(maxDec, d), sumPre + p, Math.max(maxPre, p), links[0],
                    links[1], links[2], links[3], out);
            double s = ObjectiveScore.score(objective, out);
            if (s < incumbent) {
                incumbent = s;
                bestPath = path.clone();
                bestLayers = current.clone();
            }
            return;
        }
        int after = k - 1 - r;
        int lo = Math.max(1, remaining - sufCap[r + 1]);
        int hi = Math.min(caps[r], remaining - after);
        if (sameAs[r] >= 0) {
            hi = Math.min(hi, current[sameAs[r]]);
        }
        for (int l = lo; l <= hi; l++) {
            double d = sumDec + dec[r][l];
            double md = Math.max(maxDec, dec[r][l]);
            double p = sumPre + pre[r][l];
            double mp = Math.max(maxPre, pre[r][l]);
            int rest = remaining - l;
            double totDec = d + sufDec1[r + 1] + extraGreedy(decSlopeOrder, decSlope, r + 1, rest - after);
            double totPre = p + sufPre1[r + 1] + extraGreedy(preSlopeOrder, preSlope, r + 1, rest - after);
            double lb = bound.of(k, totDec, Math.max(Math.max(md, sufMaxDec1[r + 1]), totDec / k), totPre,
                    Math.max(Math.max(mp, sufMaxPre1[r + 1]), totPre / k), links, b, b);
            if (!(lb < incumbent)) {
                continue;
            }
            current[r] = l;
            dfs(r + 1, rest, d, md, p, mp, bindsAlready || (needBinding && l > capNext[r]));
        }
    }
}
