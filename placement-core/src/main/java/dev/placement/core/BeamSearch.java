package dev.placement.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The polynomial placement heuristic: a beam search over node paths. A path grows one node at a time (only
 * along known links); of the paths with the same node set, first and last node it keeps the middle orders
 * whose link terms (Σ latency, Σ and max ms per byte) no other order beats on every term; every path is scored
 * as a closed pipeline with the best of several water-filled splits; the beam keeps the best-scoring pipelines
 * and the most promising paths that do not fit yet (fewest missing layers, then least link latency). The best
 * pipelines found are finished with a local search over splits (moving one or two layers) and a hill climb
 * over node sets and orders ({@link HillClimb}); the best node set is tried in its cheapest ring orders
 * ({@link RingOrder}); finally the {@value #FINISHED} best distinct paths get an exact split
 * ({@link SplitSearch#bestSplit}, capped at {@value #SPLIT_BUDGET} search nodes each). Lower bounds
 * ({@link CandidateBound#ofPath}) skip every split whose score would never be read. All steps are polynomial in
 * the number of nodes n and layers L (the ring orders in 2^k k² for the k ≤ {@value RingOrder#MAX_NODES} chosen
 * nodes): the beam costs O(n² · W · n · log) evaluations of O(n) each. Not thread-safe; one per solve.
 */
final class BeamSearch {
    /** Best children per depth whose split gets the local search before the beam is chosen. */
    private static final int POLISHED_PER_DEPTH = 24;
    /**
     * Depths without improvement after which a large cluster's search stops. Four, not six: over 750 answers on
     * 2-48 nodes and 55 on 64-512 (every goal) the two extra depths changed one answer (it got better without
     * them) and cost a tenth of the solve.
     */
    private static final int STALE_DEPTHS = 4;

    private final PipelineCosts c;
    private final SplitEvaluator ev;
    private final int width;
    private final PathKey.Factory keys;
    /** Lower bounds on a path's every split: a path that cannot rank among those kept is not scored. */
    private final CandidateBound bound;
    /** Whether the beam only seeds an exact search (see the constructor). */
    private final boolean seedOnly;

    int[] bestPath;
    int[] bestLayers;
    double bestScore = Double.POSITIVE_INFINITY;

    /**
     * A beam that, with {@code seedOnly}, keeps its best pipeline as first water-filled: nothing is polished,
     * climbed, reordered or split exactly, for a caller whose exact search takes the seed from there.
     */
    BeamSearch(PipelineCosts c, SplitEvaluator ev, int width, boolean seedOnly) {
        this.c = c;
        this.ev = ev;
        this.width = width;
        this.seedOnly = seedOnly;
        this.keys = new PathKey.Factory(c.n);
        this.bound = new CandidateBound(new NodeTables(c), ev.objective);
    }

    private static final class Entry {
        final int[] path;
        /** The hash of the node-set string {@link PathKey} stands for, so a child's is its parent's plus one term. */
        final int setHash;
        final double openLinkMillis;
        /** Σ and max ms per byte over the forward links so far. */
        final double openMsPerByte;
        final double maxMsPerByte;
        double score = Double.POSITIVE_INFINITY;
        int[] layers;
        long missingLayers;

        Entry(int[] path, int setHash, double openLinkMillis, double openMsPerByte, double maxMsPerByte) {
            this.path = path;
            this.setHash = setHash;
            this.openLinkMillis = openLinkMillis;
            this.openMsPerByte = openMsPerByte;
            this.maxMsPerByte = maxMsPerByte;
        }

        /** At least as good on every link term: the score never improves when a link term grows. */
        boolean dominates(Entry o) {
            return openLinkMillis <= o.openLinkMillis && openMsPerByte <= o.openMsPerByte
                    && maxMsPerByte <= o.maxMsPerByte;
        }
    }

    /** Whether the search stops at the first pipeline that fits ({@link #anyFits}). */
    private boolean stopAtFit;
    /** Whether some evaluated pipeline fit. */
    private boolean fitFound;

    /**
     * Whether the beam finds any pipeline that fits, without ranking or finishing: exactly whether {@link #run}
     * would end with a best path, since {@code run} keeps every pipeline that fits and the depths before the first
     * one are the same in both (nothing is polished or ranked by score until something fits).
     */
    boolean anyFits(int firstNode) {
        stopAtFit = true;
        run(firstNode);
        return fitFound;
    }

    void run(int firstNode) {
        List<Entry> beam = new ArrayList<>();
        for (int f = 0; f < c.n; f++) {
            if (firstNode >= 0 && f != firstNode) {
                continue;
            }
            Entry e = new Entry(new int[] {f}, keys.childHash(keys.emptyHash, f), 0, 0, 0);
            evaluate(e);
            beam.add(e);
        }
        if (stopAtFit && fitFound) {
            return;
        }
        List<Entry> top = new ArrayList<>();
        collect(top, beam);
        int stale = 0;
        for (int depth = 2; depth <= c.n && !beam.isEmpty(); depth++) {
            // Per (node set, first, last): the middle orders whose link terms no other order beats on all terms.
            // Two-node paths are each their own group, so they skip the grouping and keep the order they are made in.
            boolean grouped = depth > 2;
            Map<PathKey, List<Entry>> children = new HashMap<>();
            List<Entry> all = new ArrayList<>();
            boolean[] used = new boolean[c.n];
            for (Entry e : beam) {
                int last = e.path[e.path.length - 1];
                for (int v : e.path) {
                    used[v] = true;
                }
                for (int j = 0; j < c.n; j++) {
                    if (used[j] || !c.linkKnown(last, j)) {
                        continue;
                    }
                    int[] path = Arrays.copyOf(e.path, e.path.length + 1);
                    path[path.length - 1] = j;
                    double mpb = c.millisPerByte[last][j];
                    Entry child = new Entry(path, keys.childHash(e.setHash, j),
                            e.openLinkMillis + c.oneWayMillis[last][j], e.openMsPerByte + mpb,
                            Math.max(e.maxMsPerByte, mpb));
                    if (!grouped) {
                        all.add(child);
                        continue;
                    }
                    List<Entry> same = children.computeIfAbsent(keys.of(path, child.setHash),
                            k -> new ArrayList<>(2));
                    if (same.stream().noneMatch(o -> o.dominates(child))) {
                        same.removeIf(child::dominates);
                        same.add(child);
                    }
                }
                for (int v : e.path) {
                    used[v] = false;
                }
            }
            children.values().forEach(all::addAll);
            if (all.isEmpty()) {
                break;
            }
            // Only the best max(polished, width) scores of a depth are ever read (polished, ranked, kept in top).
            if (evaluateAll(all, new Threshold(Math.max(POLISHED_PER_DEPTH, width)))) {
                return;
            }
            // Polish the most promising splits before ranking, so a good path is not lost to a poor first split.
            all.sort(Comparator.comparingDouble(e -> e.score));
            // A fixed number, not one per beam slot: local search over 80 layers is what a wide beam would pay for.
            int polished = seedOnly ? 0 : Math.min(all.size(), POLISHED_PER_DEPTH);
            // Scores only fall when polished, so a path whose bound exceeds the width-th score now can never rank
            // among the width best (kept in the beam or in top): its polish would go unread.
            double unread = all.size() < width ? Double.POSITIVE_INFINITY : all.get(width - 1).score;
            for (int i = 0; i < polished && all.get(i).score < Double.POSITIVE_INFINITY; i++) {
                Entry e = all.get(i);
                double[] links = ev.linkTerms(e.path);
                int[] caps = ev.fitCaps(e.path);
                if (i >= width && bound.ofPath(e.path, caps, links) > unread) {
                    continue;
                }
                e.score = ev.improve(e.path, links, caps, e.layers, e.score);
            }
            double before = top.isEmpty() ? Double.POSITIVE_INFINITY : top.get(0).score;
            collect(top, all);
            double after = top.isEmpty() ? Double.POSITIVE_INFINITY : top.get(0).score;
            stale = after < before - 1e-12 * Math.abs(before) ? 0 : stale + 1;
            List<Entry> next = new ArrayList<>(Ranking.first(all, e -> e.score < Double.POSITIVE_INFINITY,
                    Comparator.comparingDouble(e -> e.score), width));
            Set<Entry> kept = Collections.newSetFromMap(new IdentityHashMap<>());
            kept.addAll(next);
            // Paths that do not fit yet: keep those closest to fitting and those with the cheapest links.
            for (Entry e : Ranking.first(all, e -> !kept.contains(e), Comparator.<Entry>comparingLong(
                    e -> e.missingLayers).thenComparingDouble(e -> e.openLinkMillis), width)) {
                next.add(e);
                kept.add(e);
            }
            next.addAll(Ranking.first(all, e -> !kept.contains(e), Comparator.<Entry>comparingDouble(
                    e -> e.openLinkMillis).thenComparingLong(e -> e.missingLayers), width));
            beam = next;
            boolean anyMissing = beam.stream().anyMatch(e -> e.missingLayers > 0);
            // Scores are not monotone in the number of stages (prefill overlap can pay off only with many), so the
            // search stops only after several depths without gain.
            if (!top.isEmpty() && stale >= STALE_DEPTHS && !anyMissing) {
                break;
            }
        }
        if (stopAtFit) {
            return;
        }
        for (Entry e : top) {
            int[] layers = e.layers.clone();
            double[] links = ev.linkTerms(e.path);
            double s = seedOnly ? e.score : ev.improve(e.path, links, ev.fitCaps(e.path), layers, e.score);
            if (s < bestScore) {
                bestScore = s;
                bestPath = e.path;
                bestLayers = layers;
            }
        }
        if (seedOnly) {
            return;
        }
        HillClimb climb = new HillClimb(c, ev, bound);
        for (int i = 0; i < Math.min(REFINED, top.size()); i++) {
            climb.from(top.get(i).path, firstNode);
            proposed.add(climb.path);
            // Each step of a climb improves, so where it ended is the best it saw.
            if (climb.layers != null && climb.score < bestScore) {
                bestScore = climb.score;
                bestPath = climb.path;
                bestLayers = climb.layers;
            }
        }
        reorder(firstNode);
        finishExactly(top);
    }

    /**
     * Tries the best path's node set in the cheapest ring orders for the bytes a decode step and a prefill send
     * ({@link RingOrder}), every rotation of each (the rotation decides the first and last roles), each with a
     * polished split; keeps what scores better.
     */
    private void reorder(int firstNode) {
        if (bestPath == null || bestPath.length < 3 || bestPath.length > RingOrder.MAX_NODES) {
            return;
        }
        int[] found = bestPath;
        for (double bytes : new double[] {c.activationBytesPerToken, c.inputTokens * c.activationBytesPerToken}) {
            int[] ring = RingOrder.cheapest(c, found, bytes);
            if (ring == null) {
                continue;
            }
            int k = ring.length;
            for (int shift = 0; shift < k; shift++) {
                int[] path = new int[k];
                for (int r = 0; r < k; r++) {
                    path[r] = ring[(r + shift) % k];
                }
                if ((firstNode >= 0 && path[0] != firstNode) || Arrays.equals(path, bestPath)) {
                    continue;
                }
                double[] links = ev.linkTerms(path);
                if (links == null) {
                    continue;
                }
                int[] layers = new int[k];
                double s = ev.bestSplit(path, links, ev.fitCaps(path), layers, true);
                if (s < bestScore) {
                    bestScore = s;
                    bestPath = path;
                    bestLayers = layers;
                }
            }
        }
    }

    /** How many of the best paths get an exact split. */
    static final int FINISHED = 8;
    /** Depth-first search nodes one exact split may visit. */
    static final long SPLIT_BUDGET = 200_000;

    private final List<int[]> proposed = new ArrayList<>();

    /**
     * Water-filling and local moves can miss a split whose KV cache admits a different concurrency (a small node
     * with one or two layers, say); the exact split search over one fixed path cannot, and costs far less than
     * the search over node sets.
     */
    private void finishExactly(List<Entry> top) {
        List<int[]> paths = new ArrayList<>();
        if (bestPath != null) {
            paths.add(bestPath);
        }
        for (int[] p : proposed) {
            paths.add(p);
        }
        for (Entry e : top) {
            paths.add(e.path);
        }
        SplitSearch exactSplit = new SplitSearch(c, ev.objective);
        List<String> seen = new ArrayList<>();
        int done = 0;
        for (int[] path : paths) {
            if (done >= FINISHED) {
                break;
            }
            String key = Arrays.toString(path);
            if (seen.contains(key)) {
                continue;
            }
            seen.add(key);
            done++;
            double[] links = ev.linkTerms(path);
            if (links == null) {
                continue;
            }
            int[] layers = new int[path.length];
            double s = exactSplit.bestSplit(path, links, bestScore, SPLIT_BUDGET, layers);
            if (s < bestScore) {
                bestScore = s;
                bestPath = path;
                bestLayers = layers;
            }
        }
    }

    /** How many of the best pipelines the hill climb starts from. */
    private static final int REFINED = 4;

    private void collect(List<Entry> top, List<Entry> entries) {
        for (Entry e : entries) {
            if (e.score < Double.POSITIVE_INFINITY) {
                top.add(e);
            }
        }
        top.sort(Comparator.comparingDouble(e -> e.score));
        while (top.size() > width) {
            top.remove(top.size() - 1);
        }
    }

    /** Scores a one-node beam entry: its missing layers, and its split when it fits. */
    private void evaluate(Entry e) {
        int[] caps = ev.fitCaps(e.path);
        e.missingLayers = missing(caps);
        split(e, caps, ev.linkTerms(e.path), null);
    }

    private long missing(int[] caps) {
        long capSum = 0;
        for (int cap : caps) {
            capSum += Math.max(0, cap);
        }
        return Math.max(0, c.layers - capSum);
    }

    private void split(Entry e, int[] caps, double[] links, Threshold threshold) {
        int[] layers = new int[e.path.length];
        e.score = ev.bestSplit(e.path, links, caps, layers, false);
        e.layers = layers;
        fitFound |= e.score < Double.POSITIVE_INFINITY;
        if (threshold != null) {
            threshold.offer(e.score);
        }
    }

    /**
     * Scores a depth's children as {@link #evaluate} does, the lowest bounds first so that the threshold tightens
     * early; when the search stops at the first fit, in turn until one fits, and then returns true.
     */
    private boolean evaluateAll(List<Entry> all, Threshold threshold) {
        double[] lower = new double[all.size()];
        for (int i = 0; i < lower.length; i++) {
            Entry e = all.get(i);
            int[] caps = ev.fitCaps(e.path);
            e.missingLayers = missing(caps);
            double[] links = e.missingLayers > 0 ? null : ev.linkTerms(e.path);
            if (stopAtFit && links != null) {
                // Any fit answers anyFits: no bound or order is needed, and until one fits every score is +∞.
                split(e, caps, links, null);
                if (fitFound) {
                    return true;
                }
            }
            lower[i] = links == null || stopAtFit ? Double.POSITIVE_INFINITY : bound.ofPath(e.path, caps, links);
        }
        for (int i : Ranking.ascending(lower)) {
            // +∞ bounds (nothing fits, a link is missing, a bound of the objective is broken) score +∞ too.
            if (!(lower[i] < Double.POSITIVE_INFINITY) || lower[i] > threshold.value()) {
                continue;
            }
            Entry e = all.get(i);
            split(e, ev.fitCaps(e.path), ev.linkTerms(e.path), threshold);
        }
        return false;
    }
}
