package dev.placement.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The polynomial placement heuristic: a beam search over node paths. A path grows one node at a time (only
 * along known links); every path is scored as a closed pipeline with a water-filled split; the beam keeps the
 * best-scoring pipelines and the most promising paths that do not fit yet (fewest missing layers, then least
 * link latency). The best pipelines found are finished with a one-layer-move local search. With beam width W,
 * n nodes and L layers it costs O(n² · W · (n + L)) time. Not thread-safe; one per solve.
 */
final class BeamSearch {
    private final PipelineCosts c;
    private final SplitEvaluator ev;
    private final int width;

    int[] bestPath;
    int[] bestLayers;
    double bestScore = Double.POSITIVE_INFINITY;

    BeamSearch(PipelineCosts c, SplitEvaluator ev, int width) {
        this.c = c;
        this.ev = ev;
        this.width = width;
    }

    private static final class Entry {
        final int[] path;
        final boolean[] used;
        final double openLinkMillis;
        double score = Double.POSITIVE_INFINITY;
        int[] layers;
        long missingLayers;

        Entry(int[] path, boolean[] used, double openLinkMillis) {
            this.path = path;
            this.used = used;
            this.openLinkMillis = openLinkMillis;
        }

        String key() {
            StringBuilder sb = new StringBuilder();
            for (boolean u : used) {
                sb.append(u ? '1' : '0');
            }
            return sb.append('/').append(path[0]).append('/').append(path[path.length - 1]).toString();
        }
    }

    void run(int firstNode) {
        List<Entry> beam = new ArrayList<>();
        for (int f = 0; f < c.n; f++) {
            if (firstNode >= 0 && f != firstNode) {
                continue;
            }
            boolean[] used = new boolean[c.n];
            used[f] = true;
            Entry e = new Entry(new int[] {f}, used, 0);
            evaluate(e);
            beam.add(e);
        }
        List<Entry> top = new ArrayList<>();
        collect(top, beam);
        int stale = 0;
        for (int depth = 2; depth <= c.n && !beam.isEmpty(); depth++) {
            Map<String, Entry> children = new HashMap<>();
            for (Entry e : beam) {
                int last = e.path[e.path.length - 1];
                for (int j = 0; j < c.n; j++) {
                    if (e.used[j] || !c.linkKnown(last, j)) {
                        continue;
                    }
                    int[] path = Arrays.copyOf(e.path, e.path.length + 1);
                    path[path.length - 1] = j;
                    boolean[] used = e.used.clone();
                    used[j] = true;
                    Entry child = new Entry(path, used, e.openLinkMillis + c.oneWayMillis[last][j]);
                    String key = child.key();
                    Entry prev = children.get(key);
                    if (prev != null && prev.openLinkMillis <= child.openLinkMillis) {
                        continue;
                    }
                    children.put(key, child);
                }
            }
            if (children.isEmpty()) {
                break;
            }
            List<Entry> all = new ArrayList<>(children.values());
            for (Entry e : all) {
                evaluate(e);
            }
            double before = top.isEmpty() ? Double.POSITIVE_INFINITY : top.get(0).score;
            collect(top, all);
            double after = top.isEmpty() ? Double.POSITIVE_INFINITY : top.get(0).score;
            stale = after < before - 1e-12 * Math.abs(before) ? 0 : stale + 1;
            List<Entry> next = new ArrayList<>();
            all.stream().filter(e -> e.score < Double.POSITIVE_INFINITY)
                    .sorted(Comparator.comparingDouble(e -> e.score)).limit(width).forEach(next::add);
            all.stream().filter(e -> !next.contains(e))
                    .sorted(Comparator.<Entry>comparingLong(e -> e.missingLayers)
                            .thenComparingDouble(e -> e.openLinkMillis))
                    .limit(width).forEach(next::add);
            beam = next;
            boolean anyMissing = beam.stream().anyMatch(e -> e.missingLayers > 0);
            if (!top.isEmpty() && stale >= 3 && !anyMissing) {
                break;
            }
        }
        for (Entry e : top) {
            int[] layers = e.layers.clone();
            double[] links = ev.linkTerms(e.path);
            double s = ev.improve(e.path, links, ev.fitCaps(e.path), layers, e.score);
            if (s < bestScore) {
                bestScore = s;
                bestPath = e.path;
                bestLayers = layers;
            }
        }
    }

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

    private void evaluate(Entry e) {
        int[] caps = ev.fitCaps(e.path);
        long capSum = 0;
        for (int r = 0; r < caps.length; r++) {
            capSum += Math.max(0, caps[r]);
        }
        e.missingLayers = Math.max(0, c.layers - capSum);
        double[] links = ev.linkTerms(e.path);
        if (links == null) {
            return;
        }
        int[] layers = new int[e.path.length];
        e.score = ev.bestSplit(e.path, links, caps, layers, false);
        e.layers = layers;
    }
}
