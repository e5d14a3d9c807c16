package dev.placement.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.sim.SimulatedClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoRunTest {

    private static List<DemoRun.StepRow> run(long seed) {
        SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        CalibratedModel planner = CalibratedModel.startingFrom(PerformanceModel.defaults());
        return new DemoRun(DemoScenario.builtIn(), new SolverAgent(planner), planner, clock, seed,
                DecisionJournal.inMemory()).run(r -> { });
    }

    @Test
    void dropsNode2AsLatencyRisesAndUsesAllThreeNodesAgainAtZero() {
        List<DemoRun.StepRow> rows = run(1);

        assertThat(rows).extracting(DemoRun.StepRow::label).containsExactly("[0,0]", "[2,2]", "[2,4]", "[2,6]",
                "[2,8]", "[2,10]", "node2 fails", "node2 back, [0,0]");
        assertThat(uses(rows.get(0), "node2")).isTrue();
        assertThat(rows.get(0).orchestrator().placement().pipelineParallelSize()).isEqualTo(3);
        int dropped = -1;
        for (int i = 1; i <= 5; i++) {
            if (!uses(rows.get(i), "node2")) {
                dropped = i;
                break;
            }
        }
        assertThat(dropped).as("node2 is dropped at some latency step").isBetween(1, 5);
        for (int i = dropped; i <= 6; i++) {
            assertThat(uses(rows.get(i), "node2")).as("step %d", i + 1).isFalse();
        }
        DemoRun.StepRow last = rows.get(7);
        assertThat(last.orchestrator().placement().nodeIds()).containsExactlyInAnyOrder("node0", "node1", "node2");
        assertThat(last.action()).startsWith("reconfigured");
        assertThat(last.reconfigurations()).isPositive();
    }

    @Test
    void beatsVllmsDefaultSplitOnInterTokenLatencyOnceLatencyRises() {
        List<DemoRun.StepRow> rows = run(1);

        for (DemoRun.StepRow r : rows.subList(2, 6)) {
            assertThat(r.orchestrator().metrics().itlMillis())
                    .isLessThan(r.baselines().get(0).metrics().itlMillis());
        }
    }

    @Test
    void learnsTheSimulatedTruthAndThenDecidesAsTheTruthWould() {
        List<DemoRun.StepRow> rows = run(1);

        assertThat(rows.get(0).predictionError()).as("the defaults against the scenario's truth").isGreaterThan(0.10);
        for (DemoRun.StepRow r : rows.subList(1, rows.size())) {
            assertThat(r.predictionError()).as("step %d, after two launches", r.index()).isLessThan(0.05);
            assertThat(r.orchestrator().placement()).as("step %d", r.index()).isEqualTo(r.truthsChoice());
        }
    }

    @Test
    void isDeterministicUnderASeed() {
        assertThat(StepsCsv.render(run(5))).isEqualTo(StepsCsv.render(run(5)));
    }

    private static boolean uses(DemoRun.StepRow row, String node) {
        return row.orchestrator().placement() != null && row.orchestrator().placement().uses(node);
    }
}
