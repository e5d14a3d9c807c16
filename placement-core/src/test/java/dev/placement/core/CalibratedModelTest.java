package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibratedModelTest {
    private static final Workload WORKLOAD = new Workload(512, 128, 8);
    private static final PerformanceModel TRUTH = new PerformanceModel(SyntheticRuns.TRUTH);

    @TempDir
    Path dir;

    /** Three runs of the testbed at different placements and RTTs, as {@code CalibrationTest} fits them. */
    private static List<Observation> runs(long seed) {
        Random rnd = new Random(seed);
        return List.of(
                SyntheticRuns.run(TRUTH, "node0:20,node1:20", SyntheticRuns.testbed(0, 0, WORKLOAD), rnd, 0.03),
                SyntheticRuns.run(TRUTH, "node0:13,node1:14,node2:13", SyntheticRuns.testbed(2, 4, WORKLOAD), rnd,
                        0.03),
                SyntheticRuns.run(TRUTH, "node0:20,node1:20", SyntheticRuns.testbed(2, 10, WORKLOAD), rnd, 0.03));
    }

    @Test
    void adoptsAFitOnceTheDataSupportIt() {
        CalibratedModel model = CalibratedModel.startingFrom(PerformanceModel.defaults());
        assertThat(model.current()).isEqualTo(PerformanceModel.defaults());
        assertThat(model.lastCalibration()).isEmpty();
        List<Observation> runs = runs(7);

        Calibration first = model.observe(runs.get(0));
        assertThat(first.adopted()).isFalse();
        assertThat(model.current()).isEqualTo(PerformanceModel.defaults());

        model.observe(runs.get(1));
        Calibration third = model.observe(runs.get(2));
        assertThat(third.adopted()).as(third.summary()).isTrue();
        assertThat(third.observationCount()).isEqualTo(3);
        assertThat(model.current()).isEqualTo(third.fitted()).isNotEqualTo(PerformanceModel.defaults())
                .isSameAs(model.get());
        assertThat(model.lastCalibration()).contains(third);
        assertThat(model.observations()).containsExactlyElementsOf(runs);
        PlacementRequest r = SyntheticRuns.testbed(2, 6, WORKLOAD);
        Placement p = Placement.parse("node0:14,node1:14,node2:12");
        assertThat(model.predictMetrics(p, r)).isEqualTo(third.fitted().predictMetrics(p, r));
        // Every refit starts from the original prior, not from the model adopted before.
        assertThat(third.prior()).isEqualTo(PerformanceModel.defaults());
    }

    @Test
    void persistsAdoptedFitsAndReloadsThemAsThePrior() {
        Path file = dir.resolve("calibration.json");
        CalibratedModel model = CalibratedModel.persistedIn(file, PerformanceModel.defaults());
        assertThat(model.prior()).isEqualTo(PerformanceModel.defaults());
        assertThat(model.file()).contains(file);
        List<Observation> runs = runs(8);
        model.observe(runs.get(0));
        assertThat(file).as("nothing adopted, nothing written").doesNotExist();
        model.observe(runs.get(1));
        model.observe(runs.get(2));
        assertThat(model.lastCalibration().orElseThrow().adopted()).isTrue();
        assertThat(Calibration.readModel(file)).isEqualTo(model.current());

        CalibratedModel reloaded = CalibratedModel.persistedIn(file, PerformanceModel.defaults());
        assertThat(reloaded.prior()).isEqualTo(model.current());
        assertThat(reloaded.current()).isEqualTo(model.current());
        assertThat(reloaded.observations()).isEmpty();
    }

    @Test
    void staysAtThePriorWhereTheDataIdentifyNothing() {
        // Runs the prior predicts exactly: nothing to learn, nothing adopted, nothing written.
        PerformanceModel prior = PerformanceModel.defaults();
        Path file = dir.resolve("c.json");
        CalibratedModel exact = CalibratedModel.persistedIn(file, prior);
        for (Observation o : runs(1)) {
            exact.observe(SyntheticRuns.run(prior, o.placement().toString(), o.request(), null, 0));
        }
        assertThat(exact.lastCalibration().orElseThrow().adopted()).isFalse();
        assertThat(exact.current()).isEqualTo(prior);
        assertThat(file).doesNotExist();

        // One placement at one fast RTT and one workload, many times: the efficiencies are learnt, the crossing
        // factor and the step overhead stay exactly the prior's.
        CalibratedModel repeated = CalibratedModel.startingFrom(prior);
        Random rnd = new Random(2);
        PlacementRequest fast = SyntheticRuns.testbed(0, 0, WORKLOAD);
        for (int i = 0; i < 6; i++) {
            repeated.observe(SyntheticRuns.run(TRUTH, "node0:13,node1:14,node2:13", fast, rnd, 0.03));
        }
        PerformanceModel.Parameters now = repeated.current().parameters();
        assertThat(repeated.lastCalibration().orElseThrow().adopted()).isTrue();
        assertThat(now.memoryBandwidthEfficiency()).isNotEqualTo(prior.parameters().memoryBandwidthEfficiency());
        assertThat(now.latencyCrossingFactor()).isEqualTo(prior.parameters().latencyCrossingFactor());
        assertThat(now.stepOverheadMillis()).isEqualTo(prior.parameters().stepOverheadMillis());
    }

    @Test
    void keepsOnlyTheLatestObservations() {
        CalibratedModel model = new CalibratedModel(PerformanceModel.defaults(), null, 2);
        List<Observation> runs = runs(3);
        runs.forEach(model::observe);
        assertThat(model.observations()).containsExactly(runs.get(1), runs.get(2));
        assertThat(model.lastCalibration().orElseThrow().observationCount()).isEqualTo(2);
    }

    @Test
    void anObservationThatDoesNotBelongToItsRequestIsRejectedAndNotKept() {
        CalibratedModel model = CalibratedModel.startingFrom(PerformanceModel.defaults());
        Observation good = runs(4).get(0);
        Observation wrong = new Observation(Placement.parse("node0:20,node9:20"), good.request(), good.measured());
        assertThatThrownBy(() -> model.observe(wrong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node9");
        assertThat(model.observations()).isEmpty();
    }

    @Test
    void aFileThatCannotBeWrittenFailsLoudlyButTheFitIsAdopted() {
        Path file = dir.resolve("missing-dir").resolve("c.json");
        CalibratedModel model = CalibratedModel.persistedIn(file, PerformanceModel.defaults());
        List<Observation> runs = runs(5);
        model.observe(runs.get(0));
        Throwable thrown = catchThrowable(() -> {
            model.observe(runs.get(1));
            model.observe(runs.get(2));
        });
        assertThat(thrown).isInstanceOf(UncheckedIOException.class).hasMessageContaining(file.toString());
        assertThat(model.lastCalibration().orElseThrow().adopted()).isTrue();
        assertThat(model.current()).isEqualTo(model.lastCalibration().orElseThrow().fitted());
        assertThat(Files.exists(file)).isFalse();
    }
}
