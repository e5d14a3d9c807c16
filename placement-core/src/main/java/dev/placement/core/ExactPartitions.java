package dev.placement.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every partition of a set of nodes into groups that hold the model and unused nodes, each judged together with
 * groups kept fixed; the best. For the whole cluster it is the replica planner's exact search; for a few nodes
 * freed from two groups, the local search's repair. Groups that cannot hold the model are skipped before their
 * partitions are formed (one memoised solve each).
 */
final class ExactPartitions {
    private final ReplicaGroups groups;
    private final int replicas;
    private final long[] kept;
    private final List<Long> chosen = new ArrayList<>();
    private ReplicaGroups.Judged best;

    /**
     * @param groups   the judge
     * @param replicas the count a plan must have, or 0 when free
     * @param kept     groups every partition keeps as they are
     */
    ExactPartitions(ReplicaGroups groups, int replicas, long[] kept) {
        this.groups = groups;
        this.replicas = replicas;
        this.kept = kept.clone();
    }

    /**
     * @param nodes the nodes to partition (disjoint from the kept groups)
     * @return the best judged partition, or {@code null} when none is eligible
     */
    ReplicaGroups.Judged best(long nodes) {
        visit(nodes);
        return best;
    }

    private void visit(long remaining) {
        int max = (replicas > 0 ? replicas : groups.concurrency()) - kept.length;
        if (remaining == 0) {
            int k = kept.length + chosen.size();
            if (k > 0 && (replicas == 0 || k == replicas)) {
                long[] all = Arrays.copyOf(kept, k);
                for (int i = 0; i < chosen.size(); i++) {
                    all[kept.length + i] = chosen.get(i);
                }
                ReplicaGroups.Judged j = groups.judge(all);
                if (ReplicaGroups.better(j, best)) {
                    best = j;
                }
            }
            return;
        }
        long low = Long.lowestOneBit(remaining);
        visit(remaining & ~low); // the lowest remaining node stays unused
        if (chosen.size() >= max) {
            return;
        }
        long rest = remaining & ~low;
        for (long sub = rest; ; sub = (sub - 1) & rest) {
            long g = sub | low;
            if (groups.holdsModel(g)) {
                chosen.add(g);
                visit(remaining & ~g);
                chosen.remove(chosen.size() - 1);
            }
            if (sub == 0) {
                break;
            }
        }
    }
}
