package dev.placement.core;

import java.util.Arrays;

/**
 * The best ring order of a fixed node set for a linear link cost: crossing latency plus a number of bytes times
 * ms per byte on every link, the return hop included (Held-Karp's dynamic programme over subsets, O(2^k k²)).
 * The beam's hill climb moves one node or run at a time and can stop at a ring order that only a
 * rearrangement of several links improves; the score's link terms grow with these costs, so the cheapest ring
 * for the bytes a decode step or a prefill sends is a good candidate for the node set the beam found.
 * Stateless.
 */
final class RingOrder {
    /** The largest node set ordered (2^k k² steps: about 600 000 at 12). */
    static final int MAX_NODES = 12;

    private RingOrder() {
    }

    /**
     * @param c     the costs (links)
     * @param nodes the node set, k from 3 to {@link #MAX_NODES}
     * @param bytes the bytes that cross each link
     * @return the nodes in the cheapest ring order, starting at {@code nodes[0]}; null when no ring over known
     *         links exists or k is out of range
     */
    static int[] cheapest(PipelineCosts c, int[] nodes, double bytes) {
        int k = nodes.length;
        if (k < 3 || k > MAX_NODES) {
            return null;
        }
        double[][] cost = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < k; b++) {
                cost[a][b] = a == b || !c.linkKnown(nodes[a], nodes[b]) ? Double.POSITIVE_INFINITY
                        : c.oneWayMillis[nodes[a]][nodes[b]] + bytes * c.millisPerByte[nodes[a]][nodes[b]];
            }
        }
        int full = (1 << k) - 1;
        // best[mask][j]: the cheapest path from node 0 over the nodes in mask (which holds 0 and j), ending at j.
        double[][] best = new double[1 << k][k];
        int[][] from = new int[1 << k][k];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[1][0] = 0;
        for (int mask = 1; mask <= full; mask += 2) {
            for (int j = 0; j < k; j++) {
                double here = best[mask][j];
                if (!(here < Double.POSITIVE_INFINITY)) {
                    continue;
                }
                for (int next = 1; next < k; next++) {
                    if ((mask & (1 << next)) != 0) {
                        continue;
                    }
                    double v = here + cost[j][next];
                    int m = mask | (1 << next);
                    if (v < best[m][next]) {
                        best[m][next] = v;
                        from[m][next] = j;
                    }
                }
            }
        }
        int last = -1;
        double ring = Double.POSITIVE_INFINITY;
        for (int j = 1; j < k; j++) {
            double v = best[full][j] + cost[j][0];
            if (v < ring) {
                ring = v;
                last = j;
            }
        }
        if (last < 0) {
            return null;
        }
        int[] order = new int[k];
        int mask = full;
        for (int pos = k - 1, j = last; pos >= 0; pos--) {
            order[pos] = nodes[j];
            int prev = from[mask][j];
            mask &= ~(1 << j);
            j = prev;
        }
        return order;
    }
}
