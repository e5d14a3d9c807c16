package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.PlacementRequest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The shortcuts the beam takes to score fewer splits must not change what it finds: the path bound never exceeds
 * a real score, the local search's incremental scores are the full scores to the last bit, and the threshold is
 * the k-th smallest value offered.
 */
class SplitShortcutsTest {

    @Test
    void thePathBoundNeverExceedsTheScoreOfAnySplit() {
        Random rnd = new Random(1401);
        int compared = 0;
        for (int trial = 0; trial < 300; trial++) {
            int nodes = 2 + rnd.nextInt(7);
            PlacementRequest request = Fixtures.randomRequest(rnd, nodes, nodes + rnd.nextInt(30));
            PipelineCosts c = new PipelineCosts(request, PerformanceModel.defaults().parameters());
            SplitEvaluator ev = new SplitEvaluator(c, request.objective());
            CandidateBound bound = new CandidateBound(new NodeTables(c), request.objective());
            int[] path = randomPath(rnd, nodes);
            double[] links = ev.linkTerms(path);
            if (links == null) {
                continue;
            }
            int[] caps = ev.fitCaps(path);
            double lower = bound.ofPath(path, caps, links);
            for (int s = 0; s < 20; s++) {
                int[] layers = randomSplit(rnd, caps, c.layers);
                if (layers == null) {
                    break;
                }
                double score = ev.score(path, layers, links, null);
                if (score < Double.POSITIVE_INFINITY) {
                    compared++;
                    assertThat(lower).as("trial %d: path %s split %s", trial, Arrays.toString(path),
                            Arrays.toString(layers)).isLessThanOrEqualTo(score);
                }
            }
        }
        assertThat(compared).isGreaterThan(500);
    }

    @Test
    void theLocalSearchReturnsTheFullScoreOfTheSplitItEndsOn() {
        Random rnd = new Random(1402);
        int improved = 0;
        for (int trial = 0; trial < 200; trial++) {
            int nodes = 2 + rnd.nextInt(7);
            PlacementRequest request = Fixtures.randomRequest(rnd, nodes, nodes + rnd.nextInt(30));
            PipelineCosts c = new PipelineCosts(request, PerformanceModel.defaults().parameters());
            SplitEvaluator ev = new SplitEvaluator(c, request.objective());
            int[] path = randomPath(rnd, nodes);
            double[] links = ev.linkTerms(path);
            if (links == null) {
                continue;
            }
            int[] caps = ev.fitCaps(path);
            int[] layers = randomSplit(rnd, caps, c.layers);
            if (layers == null) {
                continue;
            }
            double start = ev.score(path, layers, links, null);
            if (!(start < Double.POSITIVE_INFINITY)) {
                continue;
            }
            double end = ev.improve(path, links, caps, layers, start);
            assertThat(end).as("trial %d", trial).isEqualTo(ev.score(path, layers, links, null));
            assertThat(end).isLessThanOrEqualTo(start);
            assertThat(Arrays.stream(layers).sum()).isEqualTo(c.layers);
            if (end < start) {
                improved++;
            }
        }
        assertThat(improved).isGreaterThan(30);
    }

    @Test
    void theThresholdIsTheKthSmallestFiniteValueOffered() {
        Random rnd = new Random(1403);
        for (int trial = 0; trial < 100; trial++) {
            int k = 1 + rnd.nextInt(6);
            Threshold t = new Threshold(k);
            double[] values = new double[rnd.nextInt(15)];
            for (int i = 0; i < values.length; i++) {
                values[i] = rnd.nextInt(4) == 0 ? Double.POSITIVE_INFINITY : rnd.nextInt(10);
                t.offer(values[i]);
            }
            double[] finite = Arrays.stream(values).filter(v -> v < Double.POSITIVE_INFINITY).sorted().toArray();
            double expected = finite.length < k ? Double.POSITIVE_INFINITY : finite[k - 1];
            assertThat(t.value()).as("k %d values %s", k, Arrays.toString(values)).isEqualTo(expected);
        }
        assertThatThrownBy(() -> new Threshold(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int[] randomPath(Random rnd, int nodes) {
        int k = 1 + rnd.nextInt(nodes);
        int[] all = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            all[i] = i;
        }
        for (int i = nodes - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
        }
        return Arrays.copyOf(all, k);
    }

    /** A random split within the caps (at least one layer each), or null when the caps cannot hold the model. */
    private static int[] randomSplit(Random rnd, int[] caps, int layers) {
        int k = caps.length;
        int[] out = new int[k];
        int left = layers;
        for (int r = 0; r < k; r++) {
            if (caps[r] < 1) {
                return null;
            }
            out[r] = 1;
            left--;
        }
        if (left < 0) {
            return null;
        }
        for (int guard = 0; left > 0 && guard < 100 * layers; guard++) {
            int r = rnd.nextInt(k);
            if (out[r] < caps[r]) {
                out[r]++;
                left--;
            }
        }
        return left == 0 ? out : null;
    }
}
