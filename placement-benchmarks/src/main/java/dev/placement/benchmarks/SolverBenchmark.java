package dev.placement.benchmarks;

import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
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
 * Solve time of the placement solver (exact up to 12 nodes, heuristic above) and prediction time of one
 * placement. Goals (issue 3): 3 × 40 under 1 ms; 12 × 80 exact under 1 s; 64 × 80 under 200 ms. Run with
 * {@code java -jar placement-benchmarks/target/benchmarks.jar Solver -f 1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SolverBenchmark {

    /** The objective solved for. */
    @Param({"ITL", "THROUGHPUT"})
    public String goal;

    private PlacementSolver solver;
    private PerformanceModel model;
    private PlacementRequest testbed;
    private PlacementRequest edge8;
    private PlacementRequest edge12;
    private PlacementRequest edge64;
    private Placement evenSplit;

    /** Builds the requests once per trial. */
    @Setup
    public void setUp() {
        model = PerformanceModel.defaults();
        solver = new PlacementSolver(model);
        Objective objective = Objective.of(Objective.Goal.valueOf(goal));
        testbed = BenchmarkClusters.testbed(objective);
        edge8 = BenchmarkClusters.edge(8, objective);
        edge12 = BenchmarkClusters.edge(12, objective);
        edge64 = BenchmarkClusters.edge(64, objective);
        evenSplit = Placement.parse("node0:13,node1:14,node2:13");
    }

    /** @return the solution for 3 T4s × 40 layers */
    @Benchmark
    public PlacementSolver.Solution solve3x40() {
        return solver.solve(testbed);
    }

    /** @return the exact solution for 8 nodes × 80 layers */
    @Benchmark
    public PlacementSolver.Solution solve8x80() {
        return solver.solve(edge8);
    }

    /** @return the exact solution for 12 nodes × 80 layers */
    @Benchmark
    public PlacementSolver.Solution solve12x80() {
        return solver.solve(edge12);
    }

    /** @return the heuristic solution for 64 nodes × 80 layers */
    @Benchmark
    public PlacementSolver.Solution solve64x80() {
        return solver.solve(edge64);
    }

    /** @return the prediction of vLLM's even split on the testbed */
    @Benchmark
    public Prediction predictOnePlacement() {
        return model.predict(evenSplit, testbed);
    }
}
