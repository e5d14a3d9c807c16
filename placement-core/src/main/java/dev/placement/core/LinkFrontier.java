package dev.placement.core;

import java.util.Arrays;

/**
 * The exact search's pass over node orders: a Held–Karp dynamic programme over (node set S, last node) from a
 * fixed first node that keeps, per state, the Pareto-minimal link vectors of the open paths (Σ crossing
 * latency, Σ and max ms/byte of the forward links). The order of the middle nodes changes only these terms,
 * and the score never improves when one of them grows, so closing each kept vector with its return hop yields
 * every candidate an optimum can need. With the same bandwidth on every link the vector is fixed by Σ latency,
 * and one number per state suffices. Paths go only in the canonical order of {@link SymmetryReduction}.
 * Not thread-safe; one per run.
 */
final class LinkFrontier {
    private final PipelineCosts c;
    private final NodeTables t;
    private final int n;
    private final SymmetryReduction symmetry;

    LinkFrontier(NodeTables t, SymmetryReduction symmetry) {
        this.c = t.c;
        this.t = t;
        this.n = t.n;
        this.symmetry = symmetry;
    }

    /** Offers {@code out} every closed pipeline from node f, as (f, S, last, link vector). */
    void offerCandidates(int f, Candidates out) {
        if (t.uniformBandwidth) {
            scalar(f, out);
        } else {
            pareto(f, out);
        }
    }

    /**
     * A node order for a candidate: the frontier keeps no paths, only their link vectors, so it is built
     * again and walked back from the last node to a path whose link terms are these.
     *
     * @param links the candidate's link vector, as {@link #offerCandidates} gave it
     */
    int[] path(int f, int mask, int last, double[] links) {
        int k = Integer.bitCount(mask);
        if (k == 1) {
            return new int[] {f};
        }
        int[] path = new int[k];
        double open = links[0] - c.oneWayMillis[last][f];
        if (t.uniformBandwidth) {
            backtrackScalar(scalar(f, null), f, mask, last, open, path, k - 1);
        } else {
            backtrackPareto(pareto(f, null), f, mask, last, new double[] {open, links[1], links[2]}, path, k - 1);
        }
        return path;
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }

    private boolean backtrackScalar(double[][] front, int f, int mask, int last, double target, int[] path,
            int pos) {
        path[pos] = last;
        if (pos == 0) {
            return last == f && mask == (1 << f);
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
            if (close(v, target) && backtrackScalar(front, f, prevMask, p, front[prevMask][p], path, pos - 1)) {
                return true;
            }
        }
        return false;
    }

    private boolean backtrackPareto(double[][][] front, int f, int mask, int last, double[] target, int[] path,
            int pos) {
        path[pos] = last;
        if (pos == 0) {
            return last == f && mask == (1 << f);
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
                    if (backtrackPareto(front, f, prevMask, p, prev, path, pos - 1)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The pass with one number per state, the least Σ latency of an open path; offers candidates to
     * {@code out} unless it is null.
     *
     * @return front[S][last], +∞ where no path reaches
     */
    private double[][] scalar(int f, Candidates out) {
        int full = 1 << n;
        double[][] front = new double[full][];
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
                if (out != null) {
                    if (k == 1) {
                        Arrays.fill(links, 0);
                        out.add(f, mask, last, links);
                    } else if (c.linkKnown(last, f)) {
                        links[0] = row[last] + c.oneWayMillis[last][f];
                        links[1] = (k - 1) * t.uniformMsPerByte;
                        links[2] = t.uniformMsPerByte;
                        links[3] = t.uniformMsPerByte;
                        out.add(f, mask, last, links);
                    }
                }
                for (int j = 0; j < n; j++) {
                    if ((mask & (1 << j)) != 0 || !c.linkKnown(last, j) || !symmetry.mayAppend(j, mask)) {
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
        return front;
    }

    /**
     * The pass with a Pareto set per state, flat triples (Σ latency, Σ ms/byte, max ms/byte); offers candidates
     * to {@code out} unless it is null.
     *
     * @return front[S][last], null where no path reaches
     */
    private double[][][] pareto(int f, Candidates out) {
        int full = 1 << n;
        double[][][] front = new double[full][][];
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
                if (out != null) {
                    if (k == 1) {
                        Arrays.fill(links, 0);
                        out.add(f, mask, last, links);
                    } else if (c.linkKnown(last, f)) {
                        for (int v = 0; v < vecs.length; v += 3) {
                            links[0] = vecs[v] + c.oneWayMillis[last][f];
                            links[1] = vecs[v + 1];
                            links[2] = vecs[v + 2];
                            links[3] = c.millisPerByte[last][f];
                            out.add(f, mask, last, links);
                        }
                    }
                }
                for (int j = 0; j < n; j++) {
                    if ((mask & (1 << j)) != 0 || !c.linkKnown(last, j) || !symmetry.mayAppend(j, mask)) {
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
        return front;
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
}
