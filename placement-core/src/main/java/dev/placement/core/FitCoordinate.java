package dev.placement.core;

import dev.placement.api.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.ToDoubleFunction;

/**
 * One parameter a calibration fits: its name, its physical range and the width of its prior, and how to read it
 * from and write it into {@link PerformanceModel.Parameters}. The fit works on the logarithm of the value, so
 * the prior is Gaussian in log space with standard deviation {@code priorSigma}: a factor of e^σ either way is
 * one standard deviation. Immutable.
 *
 * @param name       the name in estimates and files, with the GPU kind in brackets for a per-kind efficiency
 * @param lower      smallest physically plausible value; positive
 * @param upper      largest physically plausible value
 * @param priorSigma prior standard deviation of the natural logarithm of the value
 * @param value      reads the value from parameters
 * @param with       a copy of parameters with the value replaced
 */
record FitCoordinate(String name, double lower, double upper, double priorSigma,
        ToDoubleFunction<PerformanceModel.Parameters> value,
        BiFunction<PerformanceModel.Parameters, Double, PerformanceModel.Parameters> with) {

    /** Memory-bandwidth efficiency: what a decode step achieves of the data sheet, 20% to 100%. */
    static final double[] MEMORY_BANDWIDTH_EFFICIENCY = {0.2, 1.0, 0.5};
    /** Compute efficiency: what prefill achieves of the dense FP16 data-sheet figure, 5% to 100%. */
    static final double[] COMPUTE_EFFICIENCY = {0.05, 1.0, 0.5};
    /** One-way latencies per crossing: at least one trip, at most ten sequential messages per step. */
    static final double[] LATENCY_CROSSING_FACTOR = {1.0, 10.0, 0.7};
    /** Scheduler, sampler and driver time per step, 0.05 to 50 ms. */
    static final double[] STEP_OVERHEAD_MILLIS = {0.05, 50.0, 1.5};
    /** Mean TPOT over mean ITL as vLLM's bench reports them, 0.5 to 2. */
    static final double[] TPOT_PER_ITL = {0.5, 2.0, 0.25};

    /**
     * The coordinates for a set of observations: the two efficiencies per GPU kind when the observed placements
     * ran on several kinds (or the prior already has an entry for the one kind), else the two global ones; then
     * the crossing factor, the step overhead and tpotPerItl. Reserve, batching limits and the default bandwidth
     * are never fitted.
     */
    static List<FitCoordinate> of(PerformanceModel.Parameters prior, List<Observation> observations) {
        SortedSet<String> kinds = new TreeSet<>();
        for (Observation o : observations) {
            for (Stage s : o.placement().stages()) {
                kinds.add(o.request().cluster().node(s.nodeId()).gpu().name());
            }
        }
        List<FitCoordinate> list = new ArrayList<>();
        if (kinds.size() == 1 && !prior.gpuEfficiencies().containsKey(kinds.first())) {
            list.add(of("memoryBandwidthEfficiency", MEMORY_BANDWIDTH_EFFICIENCY,
                    PerformanceModel.Parameters::memoryBandwidthEfficiency,
                    PerformanceModel.Parameters::withMemoryBandwidthEfficiency));
            list.add(of("computeEfficiency", COMPUTE_EFFICIENCY, PerformanceModel.Parameters::computeEfficiency,
                    PerformanceModel.Parameters::withComputeEfficiency));
        } else {
            for (String kind : kinds) {
                list.add(of("memoryBandwidthEfficiency[" + kind + "]", MEMORY_BANDWIDTH_EFFICIENCY,
                        p -> p.efficiencyOf(kind).memoryBandwidthEfficiency(),
                        (p, v) -> p.withGpuEfficiency(kind, new PerformanceModel.GpuEfficiency(v,
                                p.efficiencyOf(kind).computeEfficiency()))));
                list.add(of("computeEfficiency[" + kind + "]", COMPUTE_EFFICIENCY,
                        p -> p.efficiencyOf(kind).computeEfficiency(),
                        (p, v) -> p.withGpuEfficiency(kind, new PerformanceModel.GpuEfficiency(
                                p.efficiencyOf(kind).memoryBandwidthEfficiency(), v))));
            }
        }
        list.add(of("latencyCrossingFactor", LATENCY_CROSSING_FACTOR,
                PerformanceModel.Parameters::latencyCrossingFactor,
                PerformanceModel.Parameters::withLatencyCrossingFactor));
        list.add(of("stepOverheadMillis", STEP_OVERHEAD_MILLIS, PerformanceModel.Parameters::stepOverheadMillis,
                PerformanceModel.Parameters::withStepOverheadMillis));
        list.add(of("tpotPerItl", TPOT_PER_ITL, PerformanceModel.Parameters::tpotPerItl,
                PerformanceModel.Parameters::withTpotPerItl));
        return list;
    }

    private static FitCoordinate of(String name, double[] rangeAndSigma,
            ToDoubleFunction<PerformanceModel.Parameters> value,
            BiFunction<PerformanceModel.Parameters, Double, PerformanceModel.Parameters> with) {
        return new FitCoordinate(name, rangeAndSigma[0], rangeAndSigma[1], rangeAndSigma[2], value, with);
    }

    /** The value in the fit's coordinate, the logarithm, with values outside the range taken at its nearest end. */
    double logOf(PerformanceModel.Parameters p) {
        return Math.log(clamp(value.applyAsDouble(p)));
    }

    /** The value a log coordinate stands for, kept inside the range against rounding. */
    double valueAt(double log) {
        return clamp(Math.exp(log));
    }

    double clamp(double v) {
        return Math.min(upper, Math.max(lower, v));
    }
}
