package dev.placement.core;

import java.util.Arrays;

/**
 * The exact search's candidates, (first node, node set, last node, link vector) each with a lower bound on the
 * score of its every split. Only a candidate whose bound is below the incumbent is kept: it is the only kind
 * that can improve on it. Flat arrays rather than objects: n nodes can offer n² · 2ⁿ⁻¹ of them, more with
 * several link vectors each. Not thread-safe; one per run.
 */
final class Candidates {
    private final CandidateBound bound;
    private final double incumbent;

    private int count;
    private int[] first = new int[1024];
    private int[] mask = new int[1024];
    private int[] last = new int[1024];
    private double[] links = new double[4 * 1024];
    private double[] lowerBound = new double[1024];

    /** @param incumbent the score to beat; a candidate whose bound reaches it is dropped */
    Candidates(CandidateBound bound, double incumbent) {
        this.bound = bound;
        this.incumbent = incumbent;
    }

    /** Offers candidate (f, node set, l) with these link terms, which are copied. */
    void add(int f, int nodes, int l, double[] linkTerms) {
        double lb = bound.of(f, nodes, l, linkTerms);
        if (!(lb < incumbent)) {
            return;
        }
        if (count == first.length) {
            int size = count * 2;
            first = Arrays.copyOf(first, size);
            mask = Arrays.copyOf(mask, size);
            last = Arrays.copyOf(last, size);
            lowerBound = Arrays.copyOf(lowerBound, size);
            links = Arrays.copyOf(links, 4 * size);
        }
        first[count] = f;
        mask[count] = nodes;
        last[count] = l;
        lowerBound[count] = lb;
        System.arraycopy(linkTerms, 0, links, 4 * count, 4);
        count++;
    }

    /**
     * The candidates by ascending bound, ties in the order they were added: visited so, the first bound that
     * reaches the incumbent ends the search.
     */
    int[] byBound() {
        return NodeTables.ascending(Arrays.copyOf(lowerBound, count));
    }

    double lowerBound(int i) {
        return lowerBound[i];
    }

    int first(int i) {
        return first[i];
    }

    /** The candidate's node set, bit i for node i. */
    int mask(int i) {
        return mask[i];
    }

    int last(int i) {
        return last[i];
    }

    /** Copies the candidate's link vector into {@code into} (length 4). */
    void links(int i, double[] into) {
        System.arraycopy(links, 4 * i, into, 0, 4);
    }
}
