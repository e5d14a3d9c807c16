package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    @Test
    void recoversKnownParametersFromSyntheticObservations() {
        PerformanceModel.Parameters truth = PerformanceModel.Parameters.defaults().withMemoryBandwidthEfficiency(0.62)
                .withComputeEfficiency(0.31).withLatencyCrossingFactor(2.2).withStepOverheadMillis(3.5);
        PerformanceModel real = new PerformanceModel(truth);
        List<Observation> observations = new ArrayList<>();
        double[][] added = {{0, 0}, {2, 4}, {2, 10}, {5, 1}};
        Workload[] workloads = {new Workload(512, 128, 1), new Workload(1024, 64, 8), new Workload(128, 256, 4)};
        for (double[] a : added) {
            for (Workload w : workloads) {
                PlacementRequest r = PlacementRequest.builder(Fixtures.falcon(), Fixtures.threeT4(),
                        Fixtures.testbed(0.4, a[0], a[1])).workload(w).maxModelLen(4096)
                        .objective(Objective.minimizeItl()).build();
                for (String spec : new String[] {"node0:20,node1:20", "node0:13,node1:14,node2:13"}) {
                    Placement p = Placement.parse(spec);
                    PipelineMetrics m = real.predict(p, r).metrics();
                    observations.add(new Observation(p, r, new PipelineMetrics(m.ttftMillis(), m.itlMillis(),
                            m.tpotMillis(), m.outputTokensPerSecond(), PipelineMetrics.Source.MEASURED)));
                }
            }
        }
        PerformanceModel.Parameters fitted = PerformanceModel.defaults().calibrate(observations).parameters();
        assertThat(fitted.memoryBandwidthEfficiency()).isCloseTo(0.62, within(0.01));
        assertThat(fitted.computeEfficiency()).isCloseTo(0.31, within(0.01));
        assertThat(fitted.latencyCrossingFactor()).isCloseTo(2.2, within(0.05));
        assertThat(fitted.stepOverheadMillis()).isCloseTo(3.5, within(0.1));
        assertThat(fitted.reserveBytes()).isEqualTo(truth.reserveBytes());
    }

    @Test
    void calibrationNeedsObservations() {
        assertThatThrownBy(() -> PerformanceModel.defaults().calibrate(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    }
}
