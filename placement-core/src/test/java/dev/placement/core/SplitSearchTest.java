package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SplitSearchTest {
    private final PerformanceModel model = PerformanceModel.defaults();

    @Test
    void findsTheSplitOfAFixedPathThatScoringEverySplitFinds() {
        Random rnd = new Random(31);
        int compared = 0;
        for (int trial = 0; trial < 150; trial++) {
            PlacementRequest request = Fixtures.randomRequest(rnd, 2 + rnd.nextInt(3), 6 + rnd.nextInt(9));
            PipelineCosts costs = new PipelineCosts(request, model.parameters());
            int[] path = randomPath(rnd, costs.n);
            double[] links = new SplitEvaluator(costs, request.objective()).linkTerms(path);
            if (links == null) {
                continue;
            }
            double reference = bestOfEverySplit(request, path, new int[path.length], 0, costs.layers);
            int[] layers = new int[path.length];
            double found = new SplitSearch(costs, request.objective())
                    .bestSplit(path, links, Double.POSITIVE_INFINITY, Long.MAX_VALUE, layers);
            if (reference == Double.POSITIVE_INFINITY) {
                assertThat(found).as("trial %d", trial).isEqualTo(Double.POSITIVE_INFINITY);
                continue;
            }
            compared++;
            assertThat(found).as("trial %d", trial).isCloseTo(reference, withinRelative(reference));
            assertThat(score(request, path, layers)).as("trial %d: the split it wrote", trial)
                    .isCloseTo(found, withinRelative(found));
        }
        assertThat(compared).isGreaterThan(40);
    }

    @Test
    void countsOnlyASplitStrictlyBetterThanTheIncumbent() {
        Random rnd = new Random(5);
        PlacementRequest request;
        PipelineCosts costs;
        int[] path = {0, 1};
        double[] links;
        double best;
        do {
            request = Fixtures.randomRequest(rnd, 2, 12);
            costs = new PipelineCosts(request, model.parameters());
            links = new SplitEvaluator(costs, request.objective()).linkTerms(path);
            best = links == null ? Double.POSITIVE_INFINITY
                    : new SplitSearch(costs, request.objective()).bestSplit(path, links, Double.POSITIVE_INFINITY,
                            Long.MAX_VALUE, new int[2]);
        } while (best == Double.POSITIVE_INFINITY);

        int[] untouched = {-1, -1};
        assertThat(new SplitSearch(costs, request.objective()).bestSplit(path, links, best, Long.MAX_VALUE,
                untouched)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(untouched).containsExactly(-1, -1);
        double above = best + 1e-6 * Math.abs(best);
        assertThat(new SplitSearch(costs, request.objective()).bestSplit(path, links, above, Long.MAX_VALUE,
                new int[2])).isEqualTo(best);
    }

    /** A random ordered path of 1 to 4 distinct nodes. */
    private static int[] randomPath(Random rnd, int n) {
        List<Integer> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(i);
        }
        Collections.shuffle(nodes, rnd);
        int k = 1 + rnd.nextInt(Math.min(4, n));
        return nodes.subList(0, k).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The best score over every split of the remaining layers from rank r on, through the public model. */
    private double bestOfEverySplit(PlacementRequest request, int[] path, int[] layers, int r, int remaining) {
        if (r == path.length - 1) {
            layers[r] = remaining;
            return remaining < 1 ? Double.POSITIVE_INFINITY : score(request, path, layers);
        }
        double best = Double.POSITIVE_INFINITY;
        for (int l = 1; l <= remaining - (path.length - 1 - r); l++) {
            layers[r] = l;
            best = Math.min(best, bestOfEverySplit(request, path, layers, r + 1, remaining - l));
        }
        return best;
    }

    private double score(PlacementRequest request, int[] path, int[] layers) {
        List<String> ids = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int r = 0; r < path.length; r++) {
            ids.add(request.cluster().nodes().get(path[r]).id());
            counts.add(layers[r]);
        }
        Prediction p = model.predict(Placement.of(ids, counts), request);
        return p.fits() ? ObjectiveScore.score(request.objective(), p) : Double.POSITIVE_INFINITY;
    }

    private static Offset<Double> withinRelative(double value) {
        return Offset.offset(1e-9 * Math.max(1, Math.abs(value)));
    }
}
