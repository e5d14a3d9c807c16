package dev.placement.core;

import java.util.Arrays;

/**
 * The beam's grouping key of a path: its node set, first and last node. It stands for the string
 * {@code "0110…/first/last"} (one character per node of the cluster) the beam once built for every path, and
 * hashes, compares and equals exactly as that string would, so a {@code HashMap} keyed by it lays out and
 * iterates its entries in the same order (the beam's ties are then broken as before), while a key costs a
 * reference and an int instead of n bytes. The set's hash is kept per path and grows by one term per added
 * node. Immutable.
 */
final class PathKey implements Comparable<PathKey> {
    private final int[] path;
    private final int hash;

    private PathKey(int[] path, int hash) {
        this.path = path;
        this.hash = hash;
    }

    /** Hashes for one cluster size: the string hash of the all-'0' set and the weight of each node's '1'. */
    static final class Factory {
        /** The hash of the set string with no node in it. */
        final int emptyHash;
        private final int[] weight;

        Factory(int n) {
            weight = new int[n];
            int h = 0;
            int pow = 1;
            for (int i = n - 1; i >= 0; i--) {
                weight[i] = pow; // 31^(n-1-i): what turning character i from '0' into '1' adds to the hash
                pow *= 31;
            }
            for (int i = 0; i < n; i++) {
                h = 31 * h + '0';
            }
            emptyHash = h;
        }

        /** The set hash after adding node j (not yet in the set). */
        int childHash(int setHash, int j) {
            return setHash + weight[j];
        }

        /** The key of a path whose set hashes to {@code setHash}. */
        PathKey of(int[] path, int setHash) {
            int h = setHash;
            h = append(h, path[0]);
            h = append(h, path[path.length - 1]);
            return new PathKey(path, h);
        }

        private static int append(int h, int node) {
            h = 31 * h + '/';
            String digits = Integer.toString(node);
            for (int i = 0; i < digits.length(); i++) {
                h = 31 * h + digits.charAt(i);
            }
            return h;
        }
    }

    private int first() {
        return path[0];
    }

    private int last() {
        return path[path.length - 1];
    }

    private int[] sortedSet() {
        int[] s = path.clone();
        Arrays.sort(s);
        return s;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathKey k && k.hash == hash && k.first() == first() && k.last() == last()
                && Arrays.equals(k.sortedSet(), sortedSet());
    }

    /** As the strings compare: the set first (the lowest node in one set only is a '1' there), then the ends. */
    @Override
    public int compareTo(PathKey o) {
        int[] a = sortedSet();
        int[] b = o.sortedSet();
        for (int t = 0; t < Math.min(a.length, b.length); t++) {
            if (a[t] != b[t]) {
                return a[t] < b[t] ? 1 : -1;
            }
        }
        if (a.length != b.length) {
            return a.length > b.length ? 1 : -1;
        }
        return suffix().compareTo(o.suffix());
    }

    private String suffix() {
        return "/" + first() + "/" + last();
    }
}
