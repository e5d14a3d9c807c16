package dev.placement.core;

import java.util.Arrays;

/**
 * Layer splits of a path built in polynomial time from per-layer times and fit caps, without scoring them:
 * water-filling by decode or prefill time, balancing the KV cache, filling the fastest stages first, and
 * filling the tightest stage to its cap. Each is a good split for some term of the model, so the heuristic
 * scores them all and keeps the best ({@link SplitEvaluator#bestSplit}). Every method writes a split of the
 * model's layers into {@code out}, at least one layer and at most the cap per stage where the caps allow.
 * Immutable.
 */
final class CheapSplits {
    private final PipelineCosts c;

    CheapSplits(PipelineCosts c) {
        this.c = c;
    }

    /** Equalises per-stage time: l_r = as many layers as fit under a common time level τ (binary search). */
    void waterFill(double[] perLayer, int[] path, int[] caps, int[] out, boolean decode, double q) {
        int k = path.length;
        double extraLast = decode
                ? c.decodeMillis(path[k - 1], 1, true, q) - c.decodeMillis(path[k - 1], 1, false, q)
                : c.prefillMillis(path[k - 1], 1, true) - c.prefillMillis(path[k - 1], 1, false);
        double lo = 0;
        double hi = 0;
        for (int r = 0; r < k; r++) {
            hi = Math.max(hi, perLayer[r] * caps[r] + (r == k - 1 ? extraLast : 0));
        }
        double[] inverse = new double[k];
        for (int r = 0; r < k; r++) {
            inverse[r] = 1 / perLayer[r];
        }
        for (int it = 0; it < 48; it++) {
            double mid = (lo + hi) / 2;
            int sum = layersUnder(mid, inverse, caps, extraLast, null);
            if (sum >= c.layers) {
                hi = mid;
                if (sum == c.layers) {
                    // Every later step ends on a level in [target, hi] with at least as many layers in all and no
                    // more on any stage (each stage's count is non-decreasing in the level, in floating point too:
                    // a subtraction, a product with a positive inverse time, floor, min and max are all monotone),
                    // so with exactly the model's layers at hi the split is already the one the 48 steps end on.
                    break;
                }
            } else {
                lo = mid;
            }
        }
        layersUnder(hi, inverse, caps, extraLast, out);
        trim(out, perLayer, caps, extraLast);
    }

    /** The layers each stage holds under a time level, given 1 / its per-layer time; their sum. */
    private int layersUnder(double level, double[] inversePerLayer, int[] caps, double extraLast, int[] out) {
        int k = caps.length;
        int sum = 0;
        for (int r = 0; r < k; r++) {
            double avail = level - (r == k - 1 ? extraLast : 0);
            int l = (int) Math.max(1, Math.min(caps[r], Math.floor(avail * inversePerLayer[r] + 1e-9)));
            if (out != null) {
                out[r] = l;
            }
            sum += l;
        }
        return sum;
    }

    /** Makes a split sum to the model's layers: removes from (adds to) the stages with the most (least) time. */
    private void trim(int[] l, double[] perLayer, int[] caps, double extraLast) {
        int k = l.length;
        int sum = Arrays.stream(l).sum();
        while (sum != c.layers) {
            int pick = -1;
            double pickTime = sum > c.layers ? -1 : Double.POSITIVE_INFINITY;
            for (int r = 0; r < k; r++) {
                double t = perLayer[r] * (l[r] + (sum > c.layers ? 0 : 1)) + (r == k - 1 ? extraLast : 0);
                if (sum > c.layers && l[r] > 1 && t > pickTime) {
                    pick = r;
                    pickTime = t;
                } else if (sum < c.layers && l[r] < caps[r] && t < pickTime) {
                    pick = r;
                    pickTime = t;
                }
            }
            if (pick < 0) {
                return;
            }
            l[pick] += sum > c.layers ? -1 : 1;
            sum += sum > c.layers ? -1 : 1;
        }
    }

    /**
     * Fills stage {@code fixed} to its cap; the other stages share the rest by decode time, starting from the
     * decode water-filling {@code decodeFilled} that {@link #waterFill} gave for these per-layer times and caps
     * (the caller has it already).
     */
    void fillTightest(double[] perLayer, int[] decodeFilled, int[] caps, int[] out, int fixed) {
        System.arraycopy(decodeFilled, 0, out, 0, caps.length);
        out[fixed] = caps[fixed];
        int sum = Arrays.stream(out).sum();
        while (sum != c.layers) {
            boolean remove = sum > c.layers;
            int pick = -1;
            for (int r = 0; r < out.length; r++) {
                if (r == fixed || (remove ? out[r] <= 1 : out[r] >= caps[r])) {
                    continue;
                }
                double t = perLayer[r] * (out[r] + (remove ? 0 : 1));
                double pickTime = pick < 0 ? 0 : perLayer[pick] * (out[pick] + (remove ? 0 : 1));
                if (pick < 0 || (remove ? t > pickTime : t < pickTime)) {
                    pick = r;
                }
            }
            if (pick < 0) {
                return;
            }
            out[pick] += remove ? -1 : 1;
            sum += remove ? -1 : 1;
        }
    }

    /** Maximises the smallest stage KV cache: the largest token level every stage can hold (binary search). */
    void kvBalanced(int[] path, int[] caps, int[] out) {
        int k = path.length;
        long lo = c.request.maxModelLen();
        long hi = Math.max(lo, c.budgetBytes[0] / Math.max(1, c.kvBytesPerTokenPerLayer));
        for (int r = 0; r < k; r++) {
            hi = Math.max(hi, c.budgetBytes[path[r]] / c.kvBytesPerTokenPerLayer);
        }
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            long sum = 0;
            for (int r = 0; r < k; r++) {
                sum += Math.min(caps[r], c.maxLayers(path[r], r == 0, r == k - 1, mid));
            }
            if (sum >= c.layers) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        int sum = 0;
        for (int r = 0; r < k; r++) {
            out[r] = Math.max(1, Math.min(caps[r], c.maxLayers(path[r], r == 0, r == k - 1, lo)));
            sum += out[r];
        }
        double[] ones = new double[k];
        Arrays.fill(ones, 1.0);
        // Remove surplus from the stages with the most layers, keeping the KV level.
        while (sum > c.layers) {
            int pick = 0;
            for (int r = 1; r < k; r++) {
                if (out[r] > out[pick]) {
                    pick = r;
                }
            }
            out[pick]--;
            sum--;
        }
        trim(out, ones, caps, 0);
    }

    /** Minimises the sum of per-layer times: one layer each, then fill the fastest stages up to their caps. */
    void fastestFirst(double[] perLayer, int[] caps, int[] out) {
        int k = caps.length;
        Integer[] order = new Integer[k];
        for (int r = 0; r < k; r++) {
            order[r] = r;
            out[r] = 1;
        }
        Arrays.sort(order, (a, b) -> Double.compare(perLayer[a], perLayer[b]));
        int extra = c.layers - k;
        for (int idx = 0; idx < k && extra > 0; idx++) {
            int r = order[idx];
            int take = Math.min(extra, caps[r] - 1);
            out[r] += take;
            extra -= take;
        }
    }
}
