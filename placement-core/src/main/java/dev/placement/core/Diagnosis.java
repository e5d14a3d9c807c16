package dev.placement.core;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Says which constraint makes a request infeasible, and by how much. */
final class Diagnosis {
    private Diagnosis() {
    }

    static String explain(PlacementSolver solver, PipelineCosts c) {
        if (c.n == 0) {
            return "the cluster has no nodes";
        }
        if (c.sequenceTokens > c.request.maxModelLen()) {
            return "the workload's sequences of " + c.inputTokens + " + " + c.outputTokens + " = " + c.sequenceTokens
                    + " tokens are longer than max-model-len " + c.request.maxModelLen()
                    + "; raise max-model-len to at least " + c.sequenceTokens + " or shorten the workload";
        }
        boolean[] pipeline = largestPipeline(c);
        long offered = 0;
        List<String> members = new ArrayList<>();
        for (int i = 0; i < c.n; i++) {
            if (pipeline[i]) {
                offered += Math.max(0, c.budgetBytes[i] - c.reserveBytes(false));
                members.add(c.ids[i]);
            }
        }
        offered -= c.logitsPeakBytes;
        long weights = c.model.totalBytes();
        long kv = (long) c.layers * c.request.maxModelLen() * c.kvBytesPerTokenPerLayer;
        String where = members.size() == c.n ? "the whole cluster" : "the largest pipeline of known links ("
                + String.join(", ", members) + ")";
        if (weights + kv > offered) {
            return "the model needs " + PerformanceModel.gb(weights) + " of weights and " + PerformanceModel.gb(kv)
                    + " of KV cache for one " + c.request.maxModelLen() + "-token sequence; " + where + " offers "
                    + PerformanceModel.gb(Math.max(0, offered)) + " (GPU memory × " + String.format(Locale.ROOT,
                            "%.2f", c.request.cluster().gpuMemoryUtilization()) + " minus "
                    + PerformanceModel.gb(c.reserveBytes(false)) + " reserved per GPU), "
                    + PerformanceModel.gb(weights + kv - Math.max(0, offered)) + " short";
        }
        Objective objective = c.request.objective();
        Objective unbounded = new Objective(objective.goal(), null, null, null, objective.slo());
        if (!unbounded.equals(objective)) {
            PlacementSolver.Found f = solver.search(c, unbounded, c.n > PlacementSolver.EXACT_MAX_NODES);
            if (f != null) {
                Prediction p = solver.model().predict(f.placement(c), c);
                return "no placement meets the objective's bounds: the best placement for " + objective.goal().cliName()
                        + " without them, " + p.placement().toSpec() + ", predicts " + breaches(objective, p.metrics());
            }
        }
        int sumCaps = 0;
        StringBuilder caps = new StringBuilder();
        long fit = c.tokensFor(c.floorConcurrency);
        for (int i = 0; i < c.n; i++) {
            if (pipeline[i]) {
                int cap = c.maxLayers(i, false, false, fit);
                sumCaps += cap;
                caps.append(caps.length() == 0 ? "" : ", ").append(c.ids[i]).append(" ≤ ").append(cap);
            }
        }
        return "no split fits: keeping KV cache for one " + c.request.maxModelLen() + "-token sequence per stage, "
                + where + " holds at most " + sumCaps + " of the model's " + c.layers + " layers (" + caps
                + "; rank 0 also holds the embedding and the last rank the LM head)";
    }

    private static String breaches(Objective o, PipelineMetrics m) {
        List<String> parts = new ArrayList<>();
        if (o.maxTtftMillis() != null && m.ttftMillis() > o.maxTtftMillis()) {
            parts.add(String.format(Locale.ROOT, "TTFT %.1f ms against a bound of %.1f ms (%.1f ms over)",
                    m.ttftMillis(), o.maxTtftMillis(), m.ttftMillis() - o.maxTtftMillis()));
        }
        if (o.maxItlMillis() != null && m.itlMillis() > o.maxItlMillis()) {
            parts.add(String.format(Locale.ROOT, "ITL %.1f ms against a bound of %.1f ms (%.1f ms over)",
                    m.itlMillis(), o.maxItlMillis(), m.itlMillis() - o.maxItlMillis()));
        }
        if (o.minOutputTokensPerSecond() != null && m.outputTokensPerSecond() < o.minOutputTokensPerSecond()) {
            parts.add(String.format(Locale.ROOT, "%.1f output tokens/s against a bound of %.1f (%.1f short)",
                    m.outputTokensPerSecond(), o.minOutputTokensPerSecond(),
                    o.minOutputTokensPerSecond() - m.outputTokensPerSecond()));
        }
        if (parts.isEmpty()) {
            parts.add(String.format(Locale.ROOT, "ITL %.1f ms, TTFT %.1f ms and %.1f output tokens/s, and no other "
                    + "placement meets every bound at once", m.itlMillis(), m.ttftMillis(), m.outputTokensPerSecond()));
        }
        return String.join("; ", parts);
    }

    /**
     * The node set of largest usable memory that can form a closed pipeline over known links (every node alone
     * counts). Exact up to 16 nodes; above, all nodes when every pair is known, else the best single node plus
     * its known neighbours in both directions.
     */
    private static boolean[] largestPipeline(PipelineCosts c) {
        int n = c.n;
        long[] usable = new long[n];
        for (int i = 0; i < n; i++) {
            usable[i] = Math.max(0, c.budgetBytes[i] - c.reserveBytes(false));
        }
        boolean[] best = new boolean[n];
        if (n <= 16) {
            long bestSum = -1;
            int bestMask = 0;
            int full = 1 << n;
            for (int f = 0; f < n; f++) {
                boolean[][] reach = new boolean[full][];
                reach[1 << f] = new boolean[n];
                reach[1 << f][f] = true;
                for (int mask = 1; mask < full; mask++) {
                    if (reach[mask] == null) {
                        continue;
                    }
                    for (int last = 0; last < n; last++) {
                        if (!reach[mask][last]) {
                            continue;
                        }
                        if (Integer.bitCount(mask) == 1 || c.linkKnown(last, f)) {
                            long sum = 0;
                            for (int i = 0; i < n; i++) {
                                sum += (mask & (1 << i)) != 0 ? usable[i] : 0;
                            }
                            if (sum > bestSum) {
                                bestSum = sum;
                                bestMask = mask;
                            }
                        }
                        for (int j = 0; j < n; j++) {
                            if ((mask & (1 << j)) == 0 && c.linkKnown(last, j)) {
                                int next = mask | (1 << j);
                                if (reach[next] == null) {
                                    reach[next] = new boolean[n];
                                }
                                reach[next][j] = true;
                            }
                        }
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                best[i] = (bestMask & (1 << i)) != 0;
            }
            return best;
        }
        long bestSum = -1;
        for (int i = 0; i < n; i++) {
            boolean[] set = new boolean[n];
            long sum = usable[i];
            set[i] = true;
            for (int j = 0; j < n; j++) {
                if (j != i && c.linkKnown(i, j) && c.linkKnown(j, i)) {
                    set[j] = true;
                    sum += usable[j];
                }
            }
            if (sum > bestSum) {
                bestSum = sum;
                best = set;
            }
        }
        return best;
    }
}
