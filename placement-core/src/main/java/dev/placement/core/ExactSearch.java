package dev.placement.core;

import dev.placement.api.Objective;
import java.util.Arrays;

/**
 * The exact placement search for clusters of up to {@value PlacementSolver#EXACT_MAX_NODES} nodes.
 *
 * <p>Why it is exact: a placement is (first node f, node set S, last node l, the order of the middle nodes,
 * the layer counts). The order of the middle nodes changes only the link terms (Σ crossing latency, Σ and max
 * ms/byte of the forward links); the split changes only the stage terms. The score is non-decreasing in every
 * link term, so a Held-Karp pass over (S, last) keeping the Pareto-minimal link vectors loses no optimum. For
 * each (f, S, l, link vector) a lower bound on the score of any split is computed from relaxations that are
 * each valid (micro-batch size q ≥ 1, independent greedy minimum of Σ decode and Σ prefill under the fit
 * caps, max ≥ mean, the effective concurrency b ranging over an interval and every metric bounded over it);
 * candidates are visited in ascending bound and skipped once the bound reaches the incumbent. A surviving
 * candidate is solved exactly by {@link SplitSearch}. Interchangeable nodes (see {@link #lowerMates}) are
 * enumerated in one canonical order only, which keeps the search exact while clusters of identical GPUs on a
 * uniform network shrink to a few paths; a
 * candidate whose stages run on the same kinds of node as an already solved one, with no smaller link term, is
 * skipped (it cannot score better), which covers near-identical nodes with noisy RTTs. An
 * optional step budget stops the search early (then {@link #stopped} is set). Not thread-safe; one per solve.
 */
final class ExactSearch {
    private final PipelineCosts c;
    private final int n;
    private final int layers;
    private final boolean uniformBandwidth;
    private final double uniformMsPerByte;

    private final double[] alpha;
    private final double[] decLast;
    private final double[] gamma;
    private final double[] preLast;
    private final int[][] capFit;
    /** type[i]: the lowest index with the same stage terms as node i (memory budget, bandwidth, compute). */
    private final int[] type;
    private final int[] alphaOrder;
    private final int[] gammaOrder;
    private final ScoreBound bound;
    private final SplitSearch split;

    double bestScore;
    int bestFirst = -1;
    int bestMask;
    int bestLast;
    double[] bestLinks;
    private int[] bestNodes;
    private int[] bestLayers;
    long candidatesVisited;
    /** True when {@link #run} stopped at its step budget: the best found is then not proven optimal. */
    boolean stopped;
    /**
     * lowerMates[v]: the nodes with a lower index that are interchangeable with v (see {@link #interchangeable});
     * a path is enumerated only in the canonical form where v follows all of them.
     */
    private int[] lowerMates;

    // Candidate store.
    private int count;
    private int[] cf = new int[1024];
    private int[] cmask = new int[1024];
    private int[] clast = new int[1024];
    private double[] clinks = new double[4 * 1024];
    private double[] clb = new double[1024];

    ExactSearch(PipelineCosts c, Objective objective) {
        this.c = c;
        this.n = c.n;
        this.layers = c.layers;
        NodeTables t = new NodeTables(c);
        this.uniformBandwidth = t.uniformBandwidth;
        this.uniformMsPerByte = t.uniformMsPerByte;
        alpha = t.alpha;
        decLast = t.decLast;
        gamma = t.gamma;
        preLast = t.preLast;
        capFit = t.capFit;
        type = t.type;
        alphaOrder = t.alphaOrder;
        gammaOrder = t.gammaOrder;
        this.bound = new ScoreBound(c, objective);
        this.split = new SplitSearch(c, objective);
    }

    /**
     * Symmetry reduction. Nodes i and j are interchangeable when swapping them maps the problem onto itself:
     * the same GPU, neither is the pinned first node, the same known-or-unknown latency and the same bandwidth
     * to and from every other node, and the same in both directions between them. Swaps of interchangeable
     * nodes compose, so the relation is an equivalence and any permutation within a class preserves every
     * score. Any placement therefore has an equally scored twin whose used members of each class are the
     * class's lowest-indexed ones, met along the path in increasing index order; enumerating only such paths
     * (a node is appended, or starts a path, only after all its lower class-mates) loses no optimum, and the
     * twin is also the one the tie rule prefers. On n identical nodes on a uniform network this leaves one path
     * per pipeline length instead of n!/(n-k)!.
     *
     * @return per node, the bit set of interchangeable nodes with a lower index
     */
    static int[] lowerMates(PipelineCosts c, int pinnedFirst) {
        int[] out = new int[c.n];
        for (int v = 0; v < c.n; v++) {
            for (int u = 0; u < v; u++) {
                if (u != pinnedFirst && v != pinnedFirst && interchangeable(c, u, v)) {
                    out[v] |= 1 << u;
                }
            }
        }
        return out;
    }

    private static boolean interchangeable(PipelineCosts c, int i, int j) {
        if (!c.nodes.get(i).gpu().equals(c.nodes.get(j).gpu()) || c.budgetBytes[i] != c.budgetBytes[j]
                || c.bandwidthBytesPerMilli[i] != c.bandwidthBytesPerMilli[j] || c.flopsPerMilli[i] != c.flopsPerMilli[j]) {
            return false;
        }
        if (!same(c.oneWayMillis[i][j], c.oneWayMillis[j][i]) || !same(c.millisPerByte[i][j], c.millisPerByte[j][i])) {
            return false;
        }
        for (int k = 0; k < c.n; k++) {
            if (k == i || k == j) {
                continue;
            }
            if (!same(c.oneWayMillis[i][k], c.oneWayMillis[j][k]) || !same(c.oneWayMillis[k][i], c.oneWayMillis[k][j])
                    || !same(c.millisPerByte[i][k], c.millisPerByte[j][k])
                    || !same(c.millisPerByte[k][i], c.millisPerByte[k][j])) {
                return false;
            }
        }
        return true;
    }

    /** Exact equality, with unknown (NaN) equal to unknown. */
    private static boolean same(double a, double b) {
        return Double.compare(a, b) == 0;
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
        lowerMates = lowerMates(c, firstNode);
        for (int f = 0; f < n; f++) {
            if ((firstNode >= 0 && f != firstNode) || lowerMates[f] != 0) {
                continue;
            }
            if (uniformBandwidth) {
                scalarHeldKarp(f, null);
            } else {
                paretoHeldKarp(f, null);
            }
        }
        Integer[] idx = new Integer[count];
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(clb[a], clb[b]));
        double[] links = new double[4];
        for (Integer i : idx) {
            if (!(clb[i] < bestScore)) {
                break;
            }
            if (split.nodes + candidatesVisited >= stepBudget) {
                stopped = true;
                break;
            }
            System.arraycopy(clinks, 4 * i, links, 0, 4);
            // Dominance: a candidate whose stages are those of an already solved one (the same kinds of node as
            // first, last and in the middle) has the same splits; with no smaller link term it scores no better.
            long key = stageKey(cf[i], cmask[i], clast[i]);
            java.util.List<double[]> seen = solved.computeIfAbsent(key, x -> new java.util.ArrayList<>());
            if (dominated(seen, links)) {
                continue;
            }
            seen.add(links.clone());
            candidatesVisited++;
            // The depth-first search counts its nodes against what the candidates left of the budget.
            split.nodeLimit = stepBudget - candidatesVisited;
            solveCandidate(cf[i], cmask[i], clast[i], links);
        }
        if (split.nodes > split.nodeLimit) {
            stopped = true;
        }
        split.nodeLimit = Long.MAX_VALUE;
    }

    private final java.util.Map<Long, java.util.List<double[]>> solved = new java.util.HashMap<>();

    /** The kinds of node a candidate's stages run on: first, last, and how many of each kind in the middle. */
    private long stageKey(int f, int mask, int last) {
        long key = ((long) type[f] << 4 | type[last]) << 1 | (f == last ? 1 : 0);
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) {
            if ((mask & (1 << i)) != 0 && i != f && i != last) {
                counts[type[i]]++;
            }
        }
        for (int t = 0; t < n; t++) {
            key = key << 4 | counts[t];
        }
        return key;
    }

    private static boolean dominated(java.util.List<double[]> seen, double[] links) {
        for (double[] v : seen) {
            if (v[0] <= links[0] && v[1] <= links[1] && v[2] <= links[2] && v[3] <= links[3]) {
                return true;
            }
        }
        return false;
    }

    /** Steps {@link #run} took: candidates solved plus depth-first search nodes. */
    long steps() {
        return candidatesVisited + split.nodes;
    }

    /** Reconstructs a middle order of the best candidate whose link vector matches; returns the node path. */
    int[] bestPath() {
        if (bestFirst < 0) {
            return null;
        }
        int k = Integer.bitCount(bestMask);
        if (k == 1) {
            return new int[] {bestFirst};
        }
        int[] path = new int[k];
        if (uniformBandwidth) {
            double[][] front = new double[1 << n][];
            scalarHeldKarp(bestFirst, front);
            double target = bestLinks[0] - c.oneWayMillis[bestLast][bestFirst];
            backtrackScalar(front, bestMask, bestLast, target, path, k - 1);
        } else {
            double[][][] front = new double[1 << n][][];
            paretoHeldKarp(bestFirst, front);
            double[] target = {bestLinks[0] - c.oneWayMillis[bestLast][bestFirst], bestLinks[1], bestLinks[2]};
            backtrackPareto(front, bestMask, bestLast, target, path, k - 1);
        }
        return path;
    }

    int[] layersFor(int[] path) {
        int[] out = new int[path.length];
        for (int r = 0; r < path.length; r++) {
            for (int j = 0; j < bestNodes.length; j++) {
                if (bestNodes[j] == path[r]) {
                    out[r] = bestLayers[j];
                }
            }
        }
        return out;
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }

    private boolean backtrackScalar(double[][] front, int mask, int last, double target, int[] path, int pos) {
        path[pos] = last;
        if (pos == 0) {
            return last == bestFirst && mask == (1 << bestFirst);
        }
        int prevMask = mask & ~(1 << last);
        if (front[prevMask] == null) {
            return false;
        }
        for (int p = 0; p < n; p++) {
            if ((prevMask & (1 << p)) == 0 || !c.linkKnown(p, last) || Double.isInfinite(front[prevMask][p])) {
                continue;
            }
            double v = front[prevMask][p] + c.oneWayMillis[p][last];
            if (close(v, target) && backtrackScalar(front, prevMask, p, front[prevMask][p], path, pos - 1)) {
                return true;
            }
        }
        return false;
    }

    private boolean backtrackPareto(double[][][] front, int mask, int last, double[] target, int[] path, int pos) {
        path[pos] = last;
        if (pos == 0) {
            return last == bestFirst && mask == (1 << bestFirst);
        }
        int prevMask = mask & ~(1 << last);
        if (front[prevMask] == null) {
            return false;
        }
        for (int p = 0; p < n; p++) {
            double[] vecs = front[prevMask][p];
            if ((prevMask & (1 << p)) == 0 || vecs == null || !c.linkKnown(p, last)) {
                continue;
            }
            double mpb = c.millisPerByte[p][last];
            for (int v = 0; v < vecs.length; v += 3) {
                if (close(vecs[v] + c.oneWayMillis[p][last], target[0]) && close(vecs[v + 1] + mpb, target[1])
                        && close(Math.max(vecs[v + 2], mpb), target[2])) {
                    double[] prev = {vecs[v], vecs[v + 1], vecs[v + 2]};
                    if (backtrackPareto(front, prevMask, p, prev, path, pos - 1)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void scalarHeldKarp(int f, double[][] keep) {
        int full = 1 << n;
        double[][] front = keep != null ? keep : new double[full][];
        front[1 << f] = new double[n];
        Arrays.fill(front[1 << f], Double.POSITIVE_INFINITY);
        front[1 << f][f] = 0;
        double[] links = new double[4];
        for (int mask = 1; mask < full; mask++) {
            double[] row = front[mask];
            if (row == null) {
                continue;
            }
            int k = Integer.bitCount(mask);
            // Last nodes in descending order: among equally good candidates the natural order (node0, node1,
            // node2) is then found first. Transitions only reach larger masks, so the order is free.
            for (int last = n - 1; last >= 0; last--) {
                if (Double.isInfinite(row[last])) {
                    continue;
                }
                if (keep == null) {
                    if (k == 1) {
                        Arrays.fill(links, 0);
                        addCandidate(f, mask, last, links);
                    } else if (c.linkKnown(last, f)) {
                        links[0] = row[last] + c.oneWayMillis[last][f];
                        links[1] = (k - 1) * uniformMsPerByte;
                        links[2] = uniformMsPerByte;
                        links[3] = uniformMsPerByte;
                        addCandidate(f, mask, last, links);
                    }
                }
                for (int j = 0; j < n; j++) {
                    if ((mask & (1 << j)) != 0 || !c.linkKnown(last, j) || (lowerMates[j] & ~mask) != 0) {
                        continue;
                    }
                    int next = mask | (1 << j);
                    if (front[next] == null) {
                        front[next] = new double[n];
                        Arrays.fill(front[next], Double.POSITIVE_INFINITY);
                    }
                    double v = row[last] + c.oneWayMillis[last][j];
                    if (v < front[next][j]) {
                        front[next][j] = v;
                    }
                }
            }
        }
    }

    private void paretoHeldKarp(int f, double[][][] keep) {
        int full = 1 << n;
        double[][][] front = keep != null ? keep : new double[full][][];
        front[1 << f] = new double[n][];
        front[1 << f][f] = new double[] {0, 0, 0};
        double[] links = new double[4];
        for (int mask = 1; mask < full; mask++) {
            double[][] row = front[mask];
            if (row == null) {
                continue;
            }
            int k = Integer.bitCount(mask);
            for (int last = n - 1; last >= 0; last--) {
                double[] vecs = row[last];
                if (vecs == null) {
                    continue;
                }
                if (keep == null) {
                    if (k == 1) {
                        Arrays.fill(links, 0);
                        addCandidate(f, mask, last, links);
                    } else if (c.linkKnown(last, f)) {
                        for (int v = 0; v < vecs.length; v += 3) {
                            links[0] = vecs[v] + c.oneWayMillis[last][f];
                            links[1] = vecs[v + 1];
                            links[2] = vecs[v + 2];
                            links[3] = c.millisPerByte[last][f];
                            addCandidate(f, mask, last, links);
                        }
                    }
                }
                for (int j = 0; j < n; j++) {
                    if ((mask & (1 << j)) != 0 || !c.linkKnown(last, j) || (lowerMates[j] & ~mask) != 0) {
                        continue;
                    }
                    int next = mask | (1 << j);
                    if (front[next] == null) {
                        front[next] = new double[n][];
                    }
                    double mpb = c.millisPerByte[last][j];
                    for (int v = 0; v < vecs.length; v += 3) {
                        front[next][j] = insert(front[next][j], vecs[v] + c.oneWayMillis[last][j], vecs[v + 1] + mpb,
                                Math.max(vecs[v + 2], mpb));
                    }
                }
            }
        }
    }

    /** Adds a vector to a Pareto set of triples unless an existing one is at least as good in every term. */
    private static double[] insert(double[] set, double a, double b, double m) {
        if (set == null) {
            return new double[] {a, b, m};
        }
        int keep = 0;
        for (int v = 0; v < set.length; v += 3) {
            if (set[v] <= a && set[v + 1] <= b && set[v + 2] <= m) {
                return set;
            }
            if (!(a <= set[v] && b <= set[v + 1] && m <= set[v + 2])) {
                keep++;
            }
        }
        double[] out = new double[3 * (keep + 1)];
        int o = 0;
        for (int v = 0; v < set.length; v += 3) {
            if (!(a <= set[v] && b <= set[v + 1] && m <= set[v + 2])) {
                out[o++] = set[v];
                out[o++] = set[v + 1];
                out[o++] = set[v + 2];
            }
        }
        out[o++] = a;
        out[o++] = b;
        out[o] = m;
        return out;
    }

    private void addCandidate(int f, int mask, int last, double[] links) {
        double lb = candidateBound(f, mask, last, links);
        if (!(lb < bestScore)) {
            return;
        }
        if (count == cf.length) {
            int size = count * 2;
            cf = Arrays.copyOf(cf, size);
            cmask = Arrays.copyOf(cmask, size);
            clast = Arrays.copyOf(clast, size);
            clb = Arrays.copyOf(clb, size);
            clinks = Arrays.copyOf(clinks, 4 * size);
        }
        cf[count] = f;
        cmask[count] = mask;
        clast[count] = last;
        clb[count] = lb;
        System.arraycopy(links, 0, clinks, 4 * count, 4);
        count++;
    }

    /** A lower bound on the score of every split of (f, S, last) with these link terms; +∞ if none fits. */
    private double candidateBound(int f, int mask, int last, double[] links) {
        int k = Integer.bitCount(mask);
        long capSum = 0;
        double maxAlpha = 0;
        double maxGamma = 0;
        double sumDec = decLast[last];
        double sumPre = preLast[last];
        for (int i = 0; i < n; i++) {
            if ((mask & (1 << i)) == 0) {
                continue;
            }
            int cap = capFit[i][NodeTables.role(i, f, last)];
            if (cap < 1) {
                return Double.POSITIVE_INFINITY;
            }
            capSum += cap;
            sumDec += alpha[i];
            sumPre += gamma[i];
            maxAlpha = Math.max(maxAlpha, alpha[i] + (i == last ? decLast[i] : 0));
            maxGamma = Math.max(maxGamma, gamma[i] + (i == last ? preLast[i] : 0));
        }
        if (capSum < layers) {
            return Double.POSITIVE_INFINITY;
        }
        sumDec += greedy(alphaOrder, alpha, mask, f, last, layers - k);
        sumPre += greedy(gammaOrder, gamma, mask, f, last, layers - k);
        double maxDec = Math.max(maxAlpha, sumDec / k);
        double maxPre = Math.max(maxGamma, sumPre / k);
        return boundOverConcurrency(k, sumDec, maxDec, sumPre, maxPre, links, c.floorConcurrency, c.topConcurrency);
    }

    private double greedy(int[] order, double[] slope, int mask, int f, int last, int extra) {
        double sum = 0;
        for (int idx = 0; idx < n && extra > 0; idx++) {
            int i = order[idx];
            if ((mask & (1 << i)) == 0) {
                continue;
            }
            int take = Math.min(extra, capFit[i][NodeTables.role(i, f, last)] - 1);
            sum += take * slope[i];
            extra -= take;
        }
        return sum;
    }

    private double boundOverConcurrency(int k, double sumDec, double maxDec, double sumPre, double maxPre,
            double[] links, int bLo, int bHi) {
        int range = bHi - bLo + 1;
        double best = Double.POSITIVE_INFINITY;
        if (range <= 8) {
            for (int b = bLo; b <= bHi; b++) {
                best = Math.min(best, bound.of(k, sumDec, maxDec, sumPre, maxPre, links, b, b));
            }
            return best;
        }
        for (int s = 0; s < 8; s++) {
            int b1 = bLo + (int) ((long) range * s / 8);
            int b2 = bLo + (int) ((long) range * (s + 1) / 8) - 1;
            best = Math.min(best, bound.of(k, sumDec, maxDec, sumPre, maxPre, links, b1, b2));
        }
        return best;
    }

    private void solveCandidate(int f, int mask, int last, double[] links) {
        int size = Integer.bitCount(mask);
        int[] order = new int[size];
        order[0] = f;
        int pos = 1;
        for (int i = 0; i < n; i++) {
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
            bestNodes = split.bestPath;
            bestLayers = split.bestLayers;
        }
    }
}
