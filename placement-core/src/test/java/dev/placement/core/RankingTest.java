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
}
