package dev.placement.core;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.util.Random;

/** Measured runs made up from a known ground truth: what the calibration tests fit to. */
final class SyntheticRuns {

    /** The ground truth of the calibration tests: slower GPUs, a costlier crossing, TPOT 25% above ITL. */
    static final PerformanceModel.Parameters TRUTH = PerformanceModel.Parameters.defaults()
            .withMemoryBandwidthEfficiency(0.6).withComputeEfficiency(0.3).withLatencyCrossingFactor(5)
            .withStepOverheadMillis(3).withTpotPerItl(1.25);

    private SyntheticRuns() {
    }

    /** The 3× T4 Falcon3 testbed with 0.4 ms everywhere plus {@code added01} and {@code added12} ms. */
    static PlacementRequest testbed(double added01, double added12, Workload workload) {
        return PlacementRequest.builder(Fixtures.falcon(), Fixtures.threeT4(), Fixtures.testbed(0.4, added01, added12))
                .workload(workload).maxModelLen(4096).objective(Objective.minimizeItl()).build();
    }

    /**
     * A run of {@code placement} as the truth predicts it, every metric multiplied by its own factor drawn
     * uniformly from [1 − noise, 1 + noise].
     */
    static Observation run(PerformanceModel truth, String placement, PlacementRequest request, Random rnd,
            double noise) {
        Placement p = Placement.parse(placement);
        PipelineMetrics m = truth.predict(p, request).metrics();
        return new Observation(p, request, new PipelineMetrics(m.ttftMillis() * factor(rnd, noise),
                m.itlMillis() * factor(rnd, noise), m.tpotMillis() * factor(rnd, noise),
                m.outputTokensPerSecond() * factor(rnd, noise), PipelineMetrics.Source.MEASURED));
    }

    private static double factor(Random rnd, double noise) {
        return noise == 0 ? 1 : 1 + noise * (2 * rnd.nextDouble() - 1);
    }

    /** |predicted / true − 1| of TTFT, ITL and TPOT. */
    static double[] relativeErrors(PipelineMetrics predicted, PipelineMetrics truth) {
        return new double[] {Math.abs(predicted.ttftMillis() / truth.ttftMillis() - 1),
            Math.abs(predicted.itlMillis() / truth.itlMillis() - 1),
            Math.abs(predicted.tpotMillis() / truth.tpotMillis() - 1)};
    }
}
