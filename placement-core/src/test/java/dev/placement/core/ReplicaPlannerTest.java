package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplicaPlannerTest {
    private final ReplicaPlanner planner = new ReplicaPlanner(PerformanceModel.defaults());

    /** 12 T4s on three switches of four: 0.3 ms within a switch, 6 ms between switches. */
    static PlacementRequest edgeSite(Objective objective, int concurrency) {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            nodes.add(new NodeSpec("t4-" + i, "10.0." + i / 4 + "." + (i % 4 + 1), Fixtures.t4()));
        }
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        for (int i = 0; i < 12; i++) {
            for (int j = i + 1; j < 12; j++) {
                links.link("t4-" + i, "t4-" + j, i / 4 == j / 4 ? 0.3 : 6.0);
            }
        }
        return PlacementRequest.builder(Fixtures.falcon(), new ClusterSnapshot(nodes), links.build())
                .objective(objective).workload(new Workload(512, 128, concurrency)).maxModelLen(4096).build();
    }

    @Test
    void theTwelveT4SiteGetsSeveralShortReplicasRatherThanOneLongPipeline() {
        ReplicaPlan plan = planner.plan(edgeSite(Objective.of(Objective.Goal.THROUGHPUT), 64));

        assertThat(plan.exact()).isFalse();
        assertThat(plan.replicas()).hasSizeGreaterThanOrEqualTo(3);
        for (ReplicaPlan.Replica r : plan.replicas()) {
            assertThat(r.prediction().placement().stages()).hasSizeBetween(2, 3);
            String switchOf = r.prediction().placement().stages().get(0).nodeId();
            int first = Integer.parseInt(switchOf.substring(3)) / 4;
            assertThat(r.prediction().placement().stages())
                    .allMatch(s -> Integer.parseInt(s.nodeId().substring(3)) / 4 == first);
        }
        assertThat(plan.replicas().stream().mapToInt(ReplicaPlan.Replica::concurrency).sum()).isEqualTo(64);
        double single = new PlacementSolver(PerformanceModel.defaults())
                .solve(edgeSite(Objective.of(Objective.Goal.THROUGHPUT), 64)).best().metrics().outputTokensPerSecond();
        assertThat(plan.totals().outputTokensPerSecond()).isGreaterThan(1.2 * single);
    }

    @Test
    void aFixedCountIsKeptAndOutOfRangeCountsAreRefused() {
        PlacementRequest site = edgeSite(Objective.of(Objective.Goal.THROUGHPUT), 64);

        assertThat(planner.plan(site, 2).replicas()).hasSize(2);
        assertThatThrownBy(() -> planner.plan(site, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> planner.plan(site, 65)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("concurrency 64");
        assertThatThrownBy(() -> planner.plan(site, 7)).isInstanceOf(InfeasiblePlacementException.class)
                .hasMessageContaining("cannot make 7 groups");
    }

    @Test
    void exactPlansMatchABruteForceOverEveryAssignmentOfNodesToGroups() {
        Random rnd = new Random(19);
        int compared = 0;
        for (int c = 0; c < 40; c++) {
            PlacementRequest request = Fixtures.randomRequest(rnd, 3 + rnd.nextInt(3), 4 + rnd.nextInt(5));
            ReplicaGroups.Judged brute = bruteForce(request);
            if (brute == null) {
                assertThatThrownBy(() -> planner.plan(request)).isInstanceOf(InfeasiblePlacementException.class);
                continue;
            }
            ReplicaPlan plan = planner.plan(request);
            assertThat(plan.exact()).isTrue();
            assertThat(plan.totals().servedSequences()).as("case %d", c).isEqualTo(brute.servedSequences());
            assertThat(score(request, plan.totals())).as("case %d", c)
                    .isCloseTo(score(request, brute.totals()), org.assertj.core.data.Offset.offset(
                            1e-9 * Math.max(1, Math.abs(score(request, brute.totals())))));
            compared++;
        }
        assertThat(compared).isGreaterThan(20);
    }

    @Test
    void theLocalSearchIsWithinOnePercentOfExactOnSmallClusters() {
        Random rnd = new Random(7);
        int compared = 0;
        double worst = 0;
        for (int c = 0; c < 25; c++) {
            PlacementRequest request = Fixtures.randomRequest(rnd, 5 + rnd.nextInt(3), 6 + rnd.nextInt(10));
            ReplicaPlan exact;
            try {
                exact = planner.plan(request, 0, true);
            } catch (InfeasiblePlacementException e) {
                continue;
            }
            ReplicaPlan local = planner.plan(request, 0, false);
            assertThat(local.exact()).isFalse();
            assertThat(local.totals().servedSequences()).as("case %d", c)
                    .isEqualTo(exact.totals().servedSequences());
            double e = score(request, exact.totals());
            worst = Math.max(worst, (score(request, local.totals()) - e) / Math.abs(e));
            compared++;
        }
        assertThat(compared).isGreaterThan(15);
        assertThat(worst).isLessThan(0.01);
    }

    /** Every labelling of nodes with 0 (unused) or a group number, groups numbered by first appearance. */
    private static ReplicaGroups.Judged bruteForce(PlacementRequest request) {
        ReplicaGroups groups = new ReplicaGroups(new PlacementSolver(PerformanceModel.defaults()), request);
        int n = groups.size();
        int[] label = new int[n];
        ReplicaGroups.Judged best = null;
        while (true) {
            int max = 0;
            boolean canonical = true;
            for (int l : label) {
                if (l > max + 1) {
                    canonical = false;
                    break;
                }
                max = Math.max(max, l);
            }
            if (canonical && max > 0) {
                long[] g = new long[max];
                for (int i = 0; i < n; i++) {
                    if (label[i] > 0) {
                        g[label[i] - 1] |= 1L << i;
                    }
                }
                ReplicaGroups.Judged j = groups.judge(g);
                if (ReplicaGroups.better(j, best)) {
                    best = j;
                }
            }
            int i = 0;
            while (i < n && ++label[i] > n) {
                label[i++] = 0;
            }
            if (i == n) {
                return best;
            }
        }
    }

    /** The cluster objective as the planner scores it, lower is better. */
    private static double score(PlacementRequest request, ReplicaPlan.Totals t) {
        return ReplicaGroups.clusterScore(request.objective().goal(), t);
    }
}
