package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PathKeyTest {

    /** The string the beam used to build for a path: one '0' or '1' per node, then "/first/last". */
    private static String keyString(int n, int[] path) {
        char[] bits = new char[n];
        java.util.Arrays.fill(bits, '0');
        for (int v : path) {
            bits[v] = '1';
        }
        return new String(bits) + "/" + path[0] + "/" + path[path.length - 1];
    }

    private static PathKey key(PathKey.Factory keys, int[] path) {
        int h = keys.emptyHash;
        for (int v : path) {
            h = keys.childHash(h, v);
        }
        return keys.of(path, h);
    }

    @Test
    void hashesComparesAndEqualsAsTheStringOfItsNodeSetAndEnds() {
        Random rnd = new Random(14);
        for (int n : new int[] {2, 3, 12, 64, 130, 512}) {
            PathKey.Factory keys = new PathKey.Factory(n);
            List<int[]> paths = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int k = 1 + rnd.nextInt(Math.min(n, 6));
                int[] path = rnd.ints(0, n).distinct().limit(k).toArray();
                paths.add(path);
                // The same set and ends in another middle order: an equal key.
                int[] other = path.clone();
                if (k > 3) {
                    other[1] = path[2];
                    other[2] = path[1];
                }
                paths.add(other);
            }
            for (int[] a : paths) {
                PathKey ka = key(keys, a);
                assertThat(ka.hashCode()).isEqualTo(keyString(n, a).hashCode());
                for (int[] b : paths) {
                    PathKey kb = key(keys, b);
                    String sa = keyString(n, a);
                    String sb = keyString(n, b);
                    assertThat(ka.equals(kb)).isEqualTo(sa.equals(sb));
                    assertThat(Integer.signum(ka.compareTo(kb))).isEqualTo(Integer.signum(sa.compareTo(sb)));
                }
            }
        }
    }
}
