package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.PlacementRequest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RingOrderTest {

    @Test
    void findsTheCheapestRingThatEveryOrderingOfTheSetAllows() {
        Random rnd = new Random(1405);
        int compared = 0;
        for (int trial = 0; trial < 150; trial++) {
            int nodes = 3 + rnd.nextInt(5);
            PlacementRequest request = Fixtures.randomRequest(rnd, nodes, nodes + 4);
            PipelineCosts c = new PipelineCosts(request, PerformanceModel.defaults().parameters());
            int[] set = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                set[i] = i;
            }
            double bytes = rnd.nextInt(3) == 0 ? 0 : 1e3 + rnd.nextDouble() * 1e7;
            double best = bruteForce(c, set, bytes, 1, new int[nodes], new boolean[nodes]);
            int[] ring = RingOrder.cheapest(c, set, bytes);
            if (!(best < Double.POSITIVE_INFINITY)) {
                assertThat(ring).as("trial %d: no ring over known links", trial).isNull();
                continue;
            }
            compared++;
            assertThat(ring).isNotNull();
            assertThat(ring[0]).isEqualTo(set[0]);
            assertThat(ring).containsExactlyInAnyOrder(set);
            assertThat(cost(c, ring, bytes)).as("trial %d", trial).isCloseTo(best, org.assertj.core.data.Offset
                    .offset(1e-9 * Math.max(1, best)));
        }
        assertThat(compared).isGreaterThan(60);
        assertThat(RingOrder.cheapest(new PipelineCosts(Fixtures.randomRequest(rnd, 2, 4),
                PerformanceModel.defaults().parameters()), new int[] {0, 1}, 0)).isNull();
    }

    /** The cheapest ring over the set with node set[0] first, by trying every order of the rest. */
    private static double bruteForce(PipelineCosts c, int[] set, double bytes, int pos, int[] order, boolean[] used) {
        int k = set.length;
        if (pos == 1) {
            order[0] = set[0];
            used[0] = true;
        }
        if (pos == k) {
            return cost(c, order, bytes);
        }
        double best = Double.POSITIVE_INFINITY;
        for (int i = 1; i < k; i++) {
            if (!used[i]) {
                used[i] = true;
                order[pos] = set[i];
                best = Math.min(best, bruteForce(c, set, bytes, pos + 1, order, used));
                used[i] = false;
            }
        }
        return best;
    }

    private static double cost(PipelineCosts c, int[] ring, double bytes) {
        double sum = 0;
        for (int r = 0; r < ring.length; r++) {
            int from = ring[r];
            int to = ring[(r + 1) % ring.length];
            if (!c.linkKnown(from, to)) {
                return Double.POSITIVE_INFINITY;
            }
            sum += c.oneWayMillis[from][to] + bytes * c.millisPerByte[from][to];
        }
        return sum;
    }
}
