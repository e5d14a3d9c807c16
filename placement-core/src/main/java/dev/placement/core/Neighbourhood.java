package dev.placement.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The neighbours the beam's hill climb ({@code BeamSearch.refine}) tries from a pipeline: insert an unused node
 * anywhere, replace a stage's node by an unused one, remove a stage, relocate a stage, reverse a run of stages,
 * rotate the ring (unless the first node is pinned) and swap two stages. The pinned first stage never moves.
 * Listed in a fixed order, which the climb's ties follow. Stateless.
 */
final class Neighbourhood {
    private Neighbourhood() {
    }

    /**
     * @param path      the pipeline's nodes in order
     * @param firstNode the pinned first node, or -1
     * @param n         the cluster's node count
     * @return the neighbouring paths, in a fixed order
     */
    static List<int[]> of(int[] path, int firstNode, int n) {
        int k = path.length;
        boolean[] used = new boolean[n];
        for (int v : path) {
            used[v] = true;
        }
        int from = firstNode >= 0 ? 1 : 0;
        List<int[]> out = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            if (used[j]) {
                continue;
            }
            for (int pos = from; pos <= k; pos++) {
                int[] p = new int[k + 1];
                for (int r = 0, s = 0; r <= k; r++) {
                    p[r] = r == pos ? j : path[s++];
                }
                out.add(p);
            }
            for (int pos = from; pos < k; pos++) {
                int[] p = path.clone();
                p[pos] = j;
                out.add(p);
            }
        }
        for (int pos = from; k > 1 && pos < k; pos++) {
            int[] p = new int[k - 1];
            for (int r = 0, s = 0; r < k; r++) {
                if (r != pos) {
                    p[s++] = path[r];
                }
            }
            out.add(p);
        }
        // Relocate one stage, or reverse a run of stages (the 2-opt move of tours): orders a swap cannot reach.
        for (int a = from; a < k; a++) {
            for (int b = from; b < k; b++) {
                if (a == b || b == a - 1) {
                    continue;
                }
                int[] p = new int[k];
                int v = path[a];
                for (int r = 0, s = 0; r < k; r++) {
                    if (r != a) {
                        p[s++] = path[r];
                    }
                }
                System.arraycopy(p, b, p, b + 1, k - 1 - b);
                p[b] = v;
                out.add(p);
            }
            for (int b = a + 2; b < k; b++) {
                int[] p = path.clone();
                for (int i = a, j = b; i < j; i++, j--) {
                    p[i] = path[j];
                    p[j] = path[i];
                }
                out.add(p);
            }
        }
        // Rotations keep the ring's links but move the first and last roles (embedding, LM head, return hop).
        for (int shift = 1; firstNode < 0 && shift < k; shift++) {
            int[] p = new int[k];
            for (int r = 0; r < k; r++) {
                p[r] = path[(r + shift) % k];
            }
            out.add(p);
        }
        for (int a = from; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                int[] p = path.clone();
                p[a] = path[b];
                p[b] = path[a];
                out.add(p);
            }
        }
        return out;
    }
}
