package dev.placement.core;

import dev.placement.api.Objective;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The most of the workload's concurrent requests any placement can run at once: what makes every objective
 * serve the offered load. A placement whose KV cache holds fewer is eligible only when no placement holds more,
 * so the solver searches among those that hold this many ({@link PipelineCosts#requiring}).
 *
 * <p>Holding b sequences is a memory question: every stage must keep KV cache for b workload sequences (and at
 * least one max-model-len sequence), which caps the layers each node can take in each role. When every two
 * usable nodes are linked both ways, the best pipeline for memory uses every usable node, so whether b fits is a
 * sum of caps with the best first and last node: O(n) per b. Otherwise (links missing) the solver's own search
 * answers whether anything holds b, asked first about the most the caps over all nodes allow (they bound every
 * pipeline's). Either way a binary search over b, since holding b + 1 implies holding b.
 * Stateless.
 */
final class ServedLoad {

    private ServedLoad() {
    }

    /**
     * @param c          the request's terms at their natural floor
     * @param firstNode  the pinned first node, or -1
     * @param fitsBySearch whether the solver finds any eligible placement for given costs (used when links are
     *                   missing)
     * @return the largest b in [natural floor, top concurrency] that some placement holds; the natural floor when
     *         nothing holds more (or nothing fits at all)
     */
    static int mostSequences(PipelineCosts c, int firstNode, Predicate<PipelineCosts> fitsBySearch) {
        int lo = c.naturalFloor();
        int hi = c.topConcurrency;
        if (hi <= lo) {
            return lo;
        }
        int most = largest(lo, hi, b -> fitsByCaps(c, firstNode, b));
        if (linkedBothWays(c)) {
            return most;
        }
        // The caps over all nodes bound what any pipeline holds, so the search is asked about no more than they
        // allow, and first about their most: on a site with room to spare that is the only question.
        if (most == lo || fitsBySearch.test(c.requiring(most))) {
            return most;
        }
        IntPredicate bySearch = b -> fitsBySearch.test(c.requiring(b));
        return bySearch.test(lo) ? largest(lo, most - 1, bySearch) : lo;
    }

    /** The largest b in [lo, hi] that holds, by binary search (holding b + 1 implies holding b), or lo. */
    private static int largest(int lo, int hi, IntPredicate holds) {
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (holds.test(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The objective the fallback search uses: any eligible placement answers the question. */
    static Objective anyPlacement() {
        return Objective.maximizeThroughput();
    }

    /** Whether every two nodes are linked both ways (with a known RTT). */
    private static boolean linkedBothWays(PipelineCosts c) {
        for (int i = 0; i < c.n; i++) {
            for (int j = 0; j < c.n; j++) {
                if (i != j && !c.linkKnown(i, j)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether some pipeline over all usable nodes holds b sequences: its caps sum to the model's layers. */
    private static boolean fitsByCaps(PipelineCosts c, int firstNode, int b) {
        long tokens = c.tokensFor(b);
        long midSum = 0;
        int[] mid = new int[c.n];
        for (int i = 0; i < c.n; i++) {
            mid[i] = c.maxLayers(i, false, false, tokens);
            midSum += mid[i];
            if ((firstNode < 0 || i == firstNode) && c.maxLayers(i, true, true, tokens) >= c.layers) {
                return true; // one stage holds it all
            }
        }
        // The first and last roles hold less than the middle (the embedding; the LM head and logits): the best
        // pair loses the least. Two candidates per role are enough to find the best pair of different nodes.
        int f1 = -1;
        int f2 = -1;
        int l1 = -1;
        int l2 = -1;
        long[] firstGain = new long[c.n];
        long[] lastGain = new long[c.n];
        for (int i = 0; i < c.n; i++) {
            int first = c.maxLayers(i, true, false, tokens);
            int last = c.maxLayers(i, false, true, tokens);
            firstGain[i] = first >= 1 && (firstNode < 0 || i == firstNode) ? first - mid[i] : Long.MIN_VALUE;
            lastGain[i] = last >= 1 ? last - mid[i] : Long.MIN_VALUE;
            if (f1 < 0 || firstGain[i] > firstGain[f1]) {
                f2 = f1;
                f1 = i;
            } else if (f2 < 0 || firstGain[i] > firstGain[f2]) {
                f2 = i;
            }
            if (l1 < 0 || lastGain[i] > lastGain[l1]) {
                l2 = l1;
                l1 = i;
            } else if (l2 < 0 || lastGain[i] > lastGain[l2]) {
                l2 = i;
            }
        }
        long best = Long.MIN_VALUE;
        for (int f : new int[] {f1, f2}) {
            for (int l : new int[] {l1, l2}) {
                if (f >= 0 && l >= 0 && f != l && firstGain[f] != Long.MIN_VALUE && lastGain[l] != Long.MIN_VALUE) {
                    best = Math.max(best, midSum + firstGain[f] + lastGain[l]);
                }
            }
        }
        return best >= c.layers;
    }
}
