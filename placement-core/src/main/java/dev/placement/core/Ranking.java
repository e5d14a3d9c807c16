package dev.placement.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.IntStream;
import java.util.function.Predicate;

/**
 * The first k of a list in a stable sort, without sorting it: what the beam keeps of its tens of thousands of
 * children per depth (a dozen by score, a dozen closest to fitting, a dozen with the cheapest links). The
 * answer is exactly that of {@code items.stream().filter(keep).sorted(order).limit(k)}: ties keep list order.
 * O(N log k) instead of O(N log N). Also the visiting order of bounds ({@link #ascending}). Stateless.
 */
final class Ranking {
    private Ranking() {
    }

    /**
     * @param items the list, in the order ties keep
     * @param keep  which items take part
     * @param order the sort order
     * @param k     how many to return, at least 0
     * @return the first k kept items in sorted order (fewer when fewer are kept)
     */
    static <T> List<T> first(List<T> items, Predicate<? super T> keep, Comparator<? super T> order, int k) {
        if (k <= 0) {
            return List.of();
        }
        // Ascending by (order, index): the stable sort's order. The heap holds the k best so far, worst on top.
        Comparator<Integer> stable = (a, b) -> {
            int c = order.compare(items.get(a), items.get(b));
            return c != 0 ? c : Integer.compare(a, b);
        };
        PriorityQueue<Integer> worstFirst = new PriorityQueue<>(k + 1, stable.reversed());
        for (int i = 0; i < items.size(); i++) {
            T item = items.get(i);
            if (!keep.test(item)) {
                continue;
            }
            if (worstFirst.size() < k) {
                worstFirst.add(i);
            } else if (stable.compare(i, worstFirst.peek()) < 0) {
                worstFirst.poll();
                worstFirst.add(i);
            }
        }
        Integer[] chosen = worstFirst.toArray(new Integer[0]);
        Arrays.sort(chosen, stable);
        List<T> out = new ArrayList<>(chosen.length);
        for (int i : chosen) {
            out.add(items.get(i));
        }
        return out;
    }

    /**
     * Indices by ascending value, roughly (the sort key keeps the top 40 bits of each value's order, which is
     * all the pruning needs: every index is visited and each is judged by its exact value).
     */
    static int[] ascending(double[] values) {
        if (values.length > 0xFFFFFF) {
            return IntStream.range(0, values.length).toArray(); // beyond the key's index bits
        }
        long[] keys = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            long bits = Double.doubleToLongBits(values[i]);
            long ordered = bits ^ ((bits >> 63) & Long.MAX_VALUE);
            keys[i] = (ordered & ~0xFFFFFFL) | i;
        }
        Arrays.sort(keys);
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (keys[i] & 0xFFFFFFL);
        }
        return out;
    }
}
