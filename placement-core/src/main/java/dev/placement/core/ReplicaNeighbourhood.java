package dev.placement.core;

import dev.placement.api.ConnectivityMap;
import dev.placement.api.NodeSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The replica planner's local search space beyond the exact size: where it starts and which partitions are next
 * to a partition. A node is only moved into a group it is near, one of whose nodes it reaches within
 * {@value #NEAR_FACTOR} times its own shortest round trip to any node, so a site of many switches is searched
 * switch by switch. Stateless apart from the round trips it reads once.
 */
final class ReplicaNeighbourhood {
    /** How much longer than a node's shortest round trip its way to a group may be for the group to be near. */
    static final double NEAR_FACTOR = 4;
    /**
     * Up to this many nodes the search starts once from each node's group; beyond, from the first node's, and the
     * site is large: see {@link #around}.
     */
    static final int MULTI_START_NODES = 16;

    private final ReplicaGroups groups;
    private final int n;
    private final double[][] rtt;
    private final double[] nearest;
    /** sameGpu[i]: the nodes with node i's GPU (i among them). */
    private final long[] sameGpu;
    /** More than {@value #MULTI_START_NODES} nodes: the neighbourhood is narrowed ({@link #around}). */
    private final boolean large;

    ReplicaNeighbourhood(ReplicaGroups groups) {
        this.groups = groups;
        ConnectivityMap links = groups.links();
        List<NodeSpec> nodes = groups.nodes();
        this.n = nodes.size();
        this.large = n > MULTI_START_NODES;
        this.rtt = new double[n][n];
        this.nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        this.sameGpu = new long[n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (nodes.get(a).gpu().equals(nodes.get(b).gpu())) {
                    sameGpu[a] |= 1L << b;
                }
            }
        }
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (a != b) {
                    String x = nodes.get(a).id();
                    String y = nodes.get(b).id();
                    rtt[a][b] = Math.max(links.rttMillis(x, y).orElse(Double.POSITIVE_INFINITY),
                            links.rttMillis(y, x).orElse(Double.POSITIVE_INFINITY));
                    nearest[a] = Math.min(nearest[a], rtt[a][b]);
                }
            }
        }
    }

    /** Whether the site has more than {@value #MULTI_START_NODES} nodes, so that the neighbourhood is narrowed. */
    boolean large() {
        return large;
    }

    /**
     * Where the search starts: groups grown from a start node, then from the first free node, each by its nearest
     * free nodes until it holds the model (the fewest nodes per replica, near each other), once for each start
     * node up to {@value #MULTI_START_NODES} nodes; and, when the count is free, all nodes as one.
     *
     * @param replicas the count the plan must have, or 0 when free
     * @return the starting partitions (may be empty when none can be made)
     */
    List<long[]> seeds(int replicas) {
        List<long[]> seeds = new ArrayList<>();
        int starts = n <= MULTI_START_NODES ? n : 1;
        for (int s = 0; s < starts; s++) {
            List<Long> grown = grow(1L << s, all(), replicas == 0 ? groups.concurrency() : replicas);
            if (!grown.isEmpty() && (replicas == 0 || grown.size() == replicas)) {
                seeds.add(grown.stream().mapToLong(Long::longValue).toArray());
            }
        }
        if (replicas <= 1 && groups.holdsModel(all())) {
            seeds.add(new long[] {all()});
        }
        return seeds;
    }

    /**
     * Partitions packed from candidate groups: from each node, the group grown from it until it holds the model,
     * and that group with its one and two nearest further nodes, once over all nodes and once over the nodes with
     * its GPU (replicas of one GPU split evenly, and a start made of them needs few moves); taken in order of
     * capacity per node (then capacity), and again in order of capacity, each if it is disjoint from those taken,
     * every prefix one partition (only the one of {@code replicas} groups when the count is fixed). Cheap: at most
     * 6n solves, and finds the many small replicas of a large site at once.
     *
     * @param replicas the count the plan must have, or 0 when free
     * @return the packed partitions, fewest groups first
     */
    List<long[]> packings(int replicas) {
        List<Long> candidates = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            for (long g : grownWithMore(1L << s, all())) {
                addOnce(candidates, g);
            }
            for (long g : grownWithMore(1L << s, sameGpu[s])) {
                addOnce(candidates, g);
            }
        }
        double[] capacity = new double[candidates.size()];
        Integer[] order = new Integer[candidates.size()];
        for (int i = 0; i < order.length; i++) {
            capacity[i] = groups.capacity(candidates.get(i));
            order[i] = i;
        }
        List<long[]> packed = new ArrayList<>();
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(capacity[b] / Long.bitCount(candidates.get(b)),
                    capacity[a] / Long.bitCount(candidates.get(a)));
            return c != 0 ? c : Double.compare(capacity[b], capacity[a]);
        });
        pack(candidates, capacity, order, replicas, packed);
        Arrays.sort(order, (a, b) -> Double.compare(capacity[b], capacity[a]));
        pack(candidates, capacity, order, replicas, packed);
        return packed;
    }

    /** Takes candidates in order while disjoint; adds every prefix (or the one of the fixed count) to packed. */
    private void pack(List<Long> candidates, double[] capacity, Integer[] order, int replicas, List<long[]> packed) {
        List<Long> taken = new ArrayList<>();
        long used = 0;
        for (int i : order) {
            long g = candidates.get(i);
            if (capacity[i] <= 0 || (g & used) != 0 || taken.size() == groups.concurrency()) {
                continue;
            }
            taken.add(g);
            used |= g;
            if (replicas == 0 || taken.size() == replicas) {
                packed.add(taken.stream().mapToLong(Long::longValue).toArray());
            }
            if (taken.size() == replicas) {
                break;
            }
        }
    }

    /**
     * The group grown from {@code first} by its nearest nodes of {@code free} until it holds the model, and that
     * group with its one and two nearest further ones (a group of the fewest nodes may run fewer requests at once
     * than a slightly larger one); empty when none holds it.
     */
    private List<Long> grownWithMore(long first, long free) {
        List<Long> grown = grow(first, free, 1);
        if (grown.isEmpty()) {
            return grown;
        }
        List<Long> out = new ArrayList<>(grown);
        long g = grown.get(0);
        for (int extra = 0; extra < 2 && (free & ~g) != 0; extra++) {
            g |= 1L << nearestTo(g, free & ~g);
            out.add(g);
        }
        return out;
    }

    /**
     * The nodes a repair frees: {@code nodes}, and the unused nodes nearest them while there are at most
     * {@code most} in all.
     */
    long window(long nodes, long[] partition, int most) {
        long free = all() & ~union(partition);
        long w = nodes;
        while (Long.bitCount(w) < most && free != 0) {
            int y = nearestTo(w, free);
            w |= 1L << y;
            free &= ~(1L << y);
        }
        return w;
    }

    private static void addOnce(List<Long> list, long g) {
        if (!list.contains(g)) {
            list.add(g);
        }
    }

    /**
     * The partitions next to one: a node moved into a near group or out to the unused ones, a node of a group
     * swapped with one of another group or an unused one near it, and, when the count is free, two groups merged,
     * a group given up, or a new group grown from an unused node. On a large site (more than
     * {@value #MULTI_START_NODES} nodes) fewer: of the unused nodes with one GPU only the nearest to a group moves
     * into it, an unused node is not swapped in (moving it in and cutting the group down to the nodes its
     * pipeline uses does that), and two groups merge only into at most {@value ReplicaPlanner#EXACT_MAX_NODES}
     * nodes; at 64 × 80 that cut the local search's time by about four, with a plan as good.
     *
     * @param partition the groups now
     * @param replicas  the count the plan must keep, or 0 when free
     * @return the neighbours, in a fixed order
     */
    List<long[]> around(long[] partition, int replicas) {
        List<long[]> next = new ArrayList<>();
        int k = partition.length;
        long free = all() & ~union(partition);
        for (int x = 0; x < n; x++) {
            long bit = 1L << x;
            int from = groupOf(partition, bit);
            for (int j = 0; j < k; j++) {
                if (from < 0 && large && x != nearestTo(partition[j], sameGpu[x] & free)) {
                    continue; // a large site: of the unused nodes with one GPU, the nearest stands for them all
                }
                if (j != from && near(x, partition[j]) && (from < 0 || Long.bitCount(partition[from]) > 1)) {
                    long[] moved = partition.clone();
                    moved[j] |= bit;
                    if (from >= 0) {
                        moved[from] &= ~bit;
                    }
                    next.add(moved);
                }
            }
            if (from >= 0 && Long.bitCount(partition[from]) > 1) {
                long[] out = partition.clone();
                out[from] &= ~bit;
                next.add(out);
            }
        }
        for (int x = 0; x < n; x++) { // swaps: x of a group with y of a later group or unused, y near x's group
            int gx = groupOf(partition, 1L << x);
            if (gx < 0) {
                continue;
            }
            for (int y = 0; y < n; y++) {
                int gy = groupOf(partition, 1L << y);
                if (gy < 0 && large) {
                    continue; // a large site: a move in and the tightening after it make the swap
                }
                if (gy == gx || gy >= 0 && y < x || !near(y, partition[gx] & ~(1L << x))
                        && Long.bitCount(partition[gx]) > 1) {
                    continue;
                }
                long[] swapped = partition.clone();
                swapped[gx] = swapped[gx] & ~(1L << x) | 1L << y;
                if (gy >= 0) {
                    swapped[gy] = swapped[gy] & ~(1L << y) | 1L << x;
                }
                next.add(swapped);
            }
        }
        if (replicas == 0) {
            for (int i = 0; i < k; i++) {
                for (int j = i + 1; j < k; j++) {
                    if (large && Long.bitCount(partition[i] | partition[j]) > ReplicaPlanner.EXACT_MAX_NODES) {
                        continue;
                    }
                    long[] merged = without(partition, j);
                    merged[i] = partition[i] | partition[j];
                    next.add(merged);
                }
                if (k > 1) {
                    next.add(without(partition, i));
                }
            }
            for (long f = free; f != 0; f &= f - 1) { // a new group grown from each unused node
                for (long g : grownWithMore(Long.lowestOneBit(f), free)) {
                    long[] added = Arrays.copyOf(partition, k + 1);
                    added[k] = g;
                    next.add(added);
                }
            }
        }
        return next;
    }

    /**
     * Groups grown by nearest free nodes until each holds the model, the first from {@code first} (one of
     * {@code free}), each further one from the first free node; at most max.
     */
    private List<Long> grow(long first, long free, int max) {
        List<Long> made = new ArrayList<>();
        while (free != 0 && made.size() < max) {
            long g = made.isEmpty() ? first : Long.lowestOneBit(free);
            long left = free & ~g;
            while (!groups.holdsModel(g) && left != 0) {
                int pick = nearestTo(g, left);
                g |= 1L << pick;
                left &= ~(1L << pick);
            }
            if (!groups.holdsModel(g)) {
                break;
            }
            made.add(g);
            free = left;
        }
        return made;
    }

    /** The node of {@code among} whose longest round trip to the group's nodes is shortest; ties to the first. */
    private int nearestTo(long group, long among) {
        int best = -1;
        double bestRtt = Double.NaN;
        for (long m = among; m != 0; m &= m - 1) {
            int y = Long.numberOfTrailingZeros(m);
            double worst = 0;
            for (long g = group; g != 0; g &= g - 1) {
                worst = Math.max(worst, rtt[y][Long.numberOfTrailingZeros(g)]);
            }
            if (best < 0 || worst < bestRtt) {
                best = y;
                bestRtt = worst;
            }
        }
        return best;
    }

    private boolean near(int x, long group) {
        double limit = NEAR_FACTOR * Math.max(nearest[x], 0.1); // 0.1 ms: loopback-short links are all near
        for (long g = group; g != 0; g &= g - 1) {
            if (rtt[x][Long.numberOfTrailingZeros(g)] <= limit) {
                return true;
            }
        }
        return false;
    }

    private long all() {
        return groups.all();
    }

    private static int groupOf(long[] partition, long bit) {
        for (int i = 0; i < partition.length; i++) {
            if ((partition[i] & bit) != 0) {
                return i;
            }
        }
        return -1;
    }

    private static long union(long[] partition) {
        long all = 0;
        for (long g : partition) {
            all |= g;
        }
        return all;
    }

    private static long[] without(long[] partition, int i) {
        long[] out = new long[partition.length - 1];
        System.arraycopy(partition, 0, out, 0, i);
        System.arraycopy(partition, i + 1, out, i, partition.length - i - 1);
        return out;
    }
}
