package dev.placement.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the exact search may leave out because a placement it does look at scores at least as well: paths that
 * are not in the canonical order of interchangeable nodes, and candidates dominated by one already solved on the
 * same kinds of node. Not thread-safe; one per run.
 *
 * <p>Interchangeable nodes: nodes i and j are interchangeable when swapping them maps the problem onto itself:
 * the same GPU, neither is the pinned first node, the same known-or-unknown latency and the same bandwidth to
 * and from every other node, and the same in both directions between them. Swaps of interchangeable nodes
 * compose, so the relation is an equivalence and any permutation within a class preserves every score. Any
 * placement therefore has an equally scored twin whose used members of each class are the class's
 * lowest-indexed ones, met along the path in increasing index order; enumerating only such paths (a node is
 * appended, or starts a path, only after all its lower class-mates) loses no optimum, and the twin is also the
 * one the tie rule prefers. On n identical nodes on a uniform network this leaves one path per pipeline length
 * instead of n!/(n-k)!.
 *
 * <p>The dominance rule: a candidate whose stages run on the same kinds of node as an already solved one (the
 * same {@link NodeTables#type} first, last and as many of each in the middle) has exactly the same splits; with
 * no smaller link term it cannot score better. This covers near-identical nodes whose measured RTTs differ by
 * noise, which are not interchangeable.
 */
final class SymmetryReduction {
    private final NodeTables t;
    /**
     * lowerMates[v]: the nodes with a lower index that are interchangeable with v, as a bit set; a path is
     * enumerated only in the canonical form where v follows all of them.
     */
    private final int[] lowerMates;
    /** Per {@link #stageKey}: the link vectors of the candidates already solved on those kinds of node. */
    private final Map<String, List<double[]>> solved = new HashMap<>();

    SymmetryReduction(NodeTables t, int pinnedFirst) {
        this.t = t;
        this.lowerMates = lowerMates(t.c, pinnedFirst);
    }

    /** Whether a canonical path may start at node f: only when no interchangeable node has a lower index. */
    boolean mayStart(int f) {
        return lowerMates[f] == 0;
    }

    /** Whether a canonical path through the nodes of {@code mask} may go on to node j. */
    boolean mayAppend(int j, int mask) {
        return (lowerMates[j] & ~mask) == 0;
    }

    /**
     * Whether a candidate is dominated by one already solved; if it is not, it counts as solved from now on.
     *
     * @param links the candidate's link vector (see {@link LinkFrontier}); copied when kept
     */
    boolean dominated(int f, int mask, int last, double[] links) {
        List<double[]> seen = solved.computeIfAbsent(stageKey(f, mask, last), x -> new ArrayList<>());
        for (double[] v : seen) {
            if (v[0] <= links[0] && v[1] <= links[1] && v[2] <= links[2] && v[3] <= links[3]) {
                return true;
            }
        }
        seen.add(links.clone());
        return false;
    }

    /**
     * The kinds of node a candidate's stages run on: first, last (or none, for a one-stage candidate), and how
     * many of each kind in the middle, one character each. A text key, because the counts of n kinds do not fit a
     * fixed number of bits for every n (a 64-bit key packing 4 bits per kind overflowed from 14 nodes).
     */
    private String stageKey(int f, int mask, int last) {
        char[] key = new char[2 + t.n];
        key[0] = (char) t.type[f];
        key[1] = f == last ? Character.MAX_VALUE : (char) t.type[last];
        for (int i = 0; i < t.n; i++) {
            if ((mask & (1 << i)) != 0 && i != f && i != last) {
                key[2 + t.type[i]]++;
            }
        }
        return new String(key);
    }

    /**
     * The interchangeable classes, as in the class description.
     *
     * @param pinnedFirst the pinned first node, or -1
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
        if (!c.nodes.get(i).gpu().equals(c.nodes.get(j).gpu()) || !NodeTables.sameStageTerms(c, i, j)) {
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
}
