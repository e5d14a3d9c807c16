package dev.placement.core;

import java.util.Arrays;

/**
 * The k-th smallest of the values offered so far: a search that keeps only its k best candidates can skip one
 * whose lower bound exceeds it, since the k-th smallest of all the values can only be lower. Not thread-safe.
 */
final class Threshold {
    private final double[] smallest;
    private int count;

    /** @param k how many of the best are kept; at least 1 */
    Threshold(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, was " + k);
        }
        smallest = new double[k];
    }

    /** Takes a value into account; NaN and +∞ are ignored, as they never rank among the best. */
    void offer(double v) {
        if (!(v < Double.POSITIVE_INFINITY)) {
            return;
        }
        int k = smallest.length;
        if (count == k && v >= smallest[k - 1]) {
            return;
        }
        int at = count < k ? count++ : k - 1;
        while (at > 0 && smallest[at - 1] > v) {
            smallest[at] = smallest[at - 1];
            at--;
        }
        smallest[at] = v;
    }

    /** @return the k-th smallest finite value offered, or +∞ while fewer than k were */
    double value() {
        return count < smallest.length ? Double.POSITIVE_INFINITY : smallest[smallest.length - 1];
    }

    @Override
    public String toString() {
        return "Threshold" + Arrays.toString(Arrays.copyOf(smallest, count));
    }
}
