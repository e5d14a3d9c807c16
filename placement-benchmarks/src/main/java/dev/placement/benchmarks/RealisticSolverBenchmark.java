package dev.placement.benchmarks;

import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
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
 * Solve time on the realistic sites of {@link RealisticClusters} (issue 14; goals: 64 × 80 under 200 ms, 512 × 80
 * under 2 s). Run with {@code java -jar placement-benchmarks/target/benchmarks.jar RealisticSolver -f 1 -wi 3
 * -i 5 -p nodes=64}; {@link RealisticTiming} adds CPU time, allocation, peak heap and the growth exponent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RealisticSolverBenchmark {

    /** Nodes in the site. */
    @Param({"16", "32", "64", "128", "256", "512"})
    public int nodes;

    /** The site's seed. */
    @Param({"1"})
    public long seed;

    private PlacementSolver solver;
    private PlacementRequest request;

    /** Builds the site once per trial. */
    @Setup
    public void setUp() {
        solver = new PlacementSolver(PerformanceModel.defaults());
        request = RealisticClusters.request(nodes, seed, Objective.minimizeItl());
    }

    /** @return the solution for the site with the 80-layer model, minimising ITL (the CLI's default) */
    @Benchmark
    public PlacementSolver.Solution solve() {
        return solver.solve(request);
    }
}
