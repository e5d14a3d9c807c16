package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RankingTest {

    @Test
    void keepsWhatAStableSortAndLimitKeepTiesIncluded() {
        Random rnd = new Random(14);
        for (int trial = 0; trial < 300; trial++) {
            List<int[]> items = new ArrayList<>();
            int size = rnd.nextInt(200);
            for (int i = 0; i < size; i++) {
                // Few distinct keys, so that many items tie; the second field tells tied items apart.
                items.add(new int[] {rnd.nextInt(6), i, rnd.nextInt(3)});
            }
            int k = rnd.nextInt(20);
            Comparator<int[]> order = Comparator.comparingInt(a -> a[0]);
            List<int[]> expected = items.stream().filter(a -> a[2] != 0).sorted(order).limit(k).toList();
            assertThat(Ranking.first(items, a -> a[2] != 0, order, k)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void ascendingVisitsEveryIndexOnceInOrderOfValue() {
        Random rnd = new Random(1404);
        for (int trial = 0; trial < 200; trial++) {
            double[] values = new double[rnd.nextInt(300)];
            for (int i = 0; i < values.length; i++) {
                // Negative, positive and infinite values, apart by far more than the key's dropped bits.
                values[i] = rnd.nextInt(10) == 0 ? Double.POSITIVE_INFINITY : (rnd.nextInt(2000) - 1000) * 0.5;
            }
            int[] order = Ranking.ascending(values);
            assertThat(order).hasSize(values.length);
            boolean[] seen = new boolean[values.length];
            for (int i = 0; i < order.length; i++) {
                assertThat(seen[order[i]]).isFalse();
                seen[order[i]] = true;
                if (i > 0) {
                    assertThat(values[order[i]]).isGreaterThanOrEqualTo(values[order[i - 1]]);
                }
            }
        }
    }
}
