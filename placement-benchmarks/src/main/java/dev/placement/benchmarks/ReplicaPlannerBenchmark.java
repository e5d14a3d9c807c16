package dev.placement.benchmarks;

import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.ReplicaPlan;
import dev.placement.core.ReplicaPlanner;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning time of the replica planner with the count left free ({@code plan --replicas auto}) on the seeded
 * heterogeneous edge clusters of {@link BenchmarkClusters} for the 80-layer model, with 64 requests in flight
 * (512 prompt and 128 answer tokens). Goal (issue 19): 64 × 80 under 1 s on the 2-core machine, single-threaded.
 * Run with {@code java -jar placement-benchmarks/target/benchmarks.jar ReplicaPlanner -f 1 -wi 3 -i 5}.
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class ReplicaPlannerBenchmark {

    /** How many nodes the cluster has (80 layers each time). */
    @Param({"12", "64"})
    public int nodes;

    /** The objective planned for. */
    @Param({"THROUGHPUT"})
    public String goal;

    private ReplicaPlanner planner;
    private PlacementRequest request;

    /** Builds the request once per trial. */
    @Setup
    public void setUp() {
        planner = new ReplicaPlanner(PerformanceModel.defaults());
        request = BenchmarkClusters.edge(nodes, Objective.of(Objective.Goal.valueOf(goal))).toBuilder()
                .workload(new Workload(512, 128, 64)).build();
    }

    /** @return the plan with as many replicas as serve the objective best */
    @Benchmark
    public ReplicaPlan planAuto() {
        return planner.plan(request);
    }
}
