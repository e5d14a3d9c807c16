package dev.placement.core;

import java.util.Arrays;

/**
 * The per-node tables the phases of the exact search share, computed once per solve from {@link PipelineCosts}
 * so that the bounds, the link frontier and the dominance rule read the same numbers. Immutable.
 */
final class NodeTables {
    final PipelineCosts c;
    final int n;
    final int layers;
    /** True when every link has the same ms per byte: the link vector is then fixed by Σ latency alone. */
    final boolean uniformBandwidth;
    /** That common ms per byte (0 with fewer than two nodes). */
    final double uniformMsPerByte;

    /** alpha[i]: decode ms of one layer on node i at q = 1, the slope of the bounds' relaxation. */
    final double[] alpha;
    /** decLast[i]: the least the LM head adds to a decode step when node i is last. */
    final double[] decLast;
    /** gamma[i]: prefill ms of one layer on node i. */
    final double[] gamma;
    /** preLast[i]: the least the LM head adds to a prefill when node i is last. */
    final double[] preLast;
    /** capFit[i][role]: layers node i holds with KV for the floor concurrency, in a {@link #role}. */
    final int[][] capFit;
    /** type[i]: the lowest index with the same stage terms as node i (memory budget, bandwidth, compute). */
    final int[] type;
    /** Nodes by ascending {@link #alpha} and {@link #gamma}: the relaxation fills the cheapest first. */
    final int[] alphaOrder;
    final int[] gammaOrder;

    NodeTables(PipelineCosts c) {
        this.c = c;
        this.n = c.n;
        this.layers = c.layers;
        double first = Double.NaN;
        boolean uniform = true;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    if (Double.isNaN(first)) {
                        first = c.millisPerByte[i][j];
                    } else if (c.millisPerByte[i][j] != first) {
                        uniform = false;
                    }
                }
            }
        }
        this.uniformBandwidth = uniform;
        this.uniformMsPerByte = Double.isNaN(first) ? 0 : first;
        alpha = new double[n];
        decLast = new double[n];
        gamma = new double[n];
        preLast = new double[n];
        capFit = new int[n][4];
        long fitTokens = c.tokensFor(c.floorConcurrency);
        for (int i = 0; i < n; i++) {
            alpha[i] = c.decodeMillis(i, 1, false, 1);
            double lmMemory = c.lmHeadBytes / c.bandwidthBytesPerMilli[i];
            double lmCompute = c.lmHeadFlopsPerToken / c.flopsPerMilli[i];
            decLast[i] = Math.min(lmMemory, lmCompute);
            gamma[i] = c.prefillMillis(i, 1, false);
            preLast[i] = Math.min(lmCompute, c.prefillChunks * lmMemory);
            for (int role = 0; role < 4; role++) {
                capFit[i][role] = c.maxLayers(i, (role & 1) != 0, (role & 2) != 0, fitTokens);
            }
        }
        type = new int[n];
        for (int i = 0; i < n; i++) {
            type[i] = i;
            for (int j = 0; j < i; j++) {
                if (sameStageTerms(c, i, j)) {
                    type[i] = j;
                    break;
                }
            }
        }
        alphaOrder = ascending(alpha);
        gammaOrder = ascending(gamma);
    }

    /**
     * Whether nodes i and j give a stage the same times and room: memory budget, bandwidth, compute and (with
     * tensor parallelism) the link between the stage's GPUs.
     */
    static boolean sameStageTerms(PipelineCosts c, int i, int j) {
        return c.budgetBytes[i] == c.budgetBytes[j] && c.bandwidthBytesPerMilli[i] == c.bandwidthBytesPerMilli[j]
                && c.flopsPerMilli[i] == c.flopsPerMilli[j] && c.sameIntraNodeTerms(i, j);
    }

    /** Node i's role in a pipeline from f to last, as {@link #capFit} indexes it: 1 when first, 2 when last. */
    static int role(int i, int f, int last) {
        return (i == f ? 1 : 0) | (i == last ? 2 : 0);
    }

    /** The indices of {@code key} by ascending value; equal values keep their index order (a stable sort). */
    static int[] ascending(double[] key) {
        Integer[] idx = new Integer[key.length];
        for (int i = 0; i < key.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(key[a], key[b]));
        int[] out = new int[key.length];
        for (int i = 0; i < key.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
