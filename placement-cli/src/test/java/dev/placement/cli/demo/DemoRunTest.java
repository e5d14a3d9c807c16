package dev.placement.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.PipelineMetrics;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.sim.SimulatedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoRunTest {

    private static List<DemoRun.StepRow> run(long seed) {
        return run(DemoScenario.builtIn(), seed, DecisionJournal.inMemory());
    }

    private static List<DemoRun.StepRow> run(DemoScenario scenario, long seed, DecisionJournal journal) {
        SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        CalibratedModel planner = CalibratedModel.startingFrom(PerformanceModel.defaults());
        return new DemoRun(scenario, new SolverAgent(planner), planner, clock, seed, journal).run(r -> { });
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
    void measuresWhatRunsAtEveryTickAfterItLaunchedAndShowsTheMeanBesideThePrediction() {
        DemoScenario scenario = DemoScenario.builtIn();
        DecisionJournal journal = DecisionJournal.inMemory();
        List<DemoRun.StepRow> rows = run(scenario, 1, journal);
        long ticks = scenario.step().toMillis() / scenario.tick().toMillis();
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        boolean differs = false;
        for (DemoRun.StepRow r : rows) {
            Instant from = start.plus(scenario.step().multipliedBy(r.index() - 1));
            List<DecisionJournal.Entry> launched = journal.entries().stream().filter(e -> e.result().applied())
                    .filter(e -> !e.at().isBefore(from) && e.at().isBefore(from.plus(scenario.step()))).toList();
            // A tick samples what ran before it decided: the ticks after the last launch sample what runs now.
            long expected = launched.isEmpty() ? ticks
                    : ticks - 1 - Duration.between(from, launched.get(launched.size() - 1).at()).dividedBy(
                            scenario.tick());
            assertThat(r.measuredSamples()).as("step %d", r.index()).isEqualTo((int) expected);
            assertThat(r.measured().placement()).isEqualTo(r.orchestrator().placement());
            PipelineMetrics measured = r.measured().metrics();
            PipelineMetrics truth = r.orchestrator().metrics();
            assertThat(measured.source()).isEqualTo(PipelineMetrics.Source.MEASURED);
            // Each sample is the truth with a few percent of noise: their mean is near it, but not it.
            assertThat(measured.itlMillis()).isCloseTo(truth.itlMillis(), within(truth.itlMillis() * 0.03));
            assertThat(measured.ttftMillis()).isCloseTo(truth.ttftMillis(), within(truth.ttftMillis() * 0.03));
            differs |= measured.itlMillis() != truth.itlMillis();
        }
        assertThat(differs).as("measured, not copied from the truth").isTrue();
    }

    @Test
    void explainsStepLabelsOnlyWhenTheRunsLinksConfirmThem() {
        StepLabels.Pairs pairs = StepLabels.pairs(DemoScenario.builtIn(), run(1));
        assertThat(pairs).extracting(StepLabels.Pairs::first, StepLabels.Pairs::second, StepLabels.Pairs::sum,
                StepLabels.Pairs::example).containsExactly("node0–node1", "node1–node2", "node0–node2", "[2,10]");
        // [2,10] on top of the base RTT of 0.2 ms (the scenario file's baseRttMillis).
        assertThat(pairs.exampleFirst()).isCloseTo(2.2, within(1e-9));
        assertThat(pairs.exampleSecond()).isCloseTo(10.2, within(1e-9));

        DemoScenario mislabelled = DemoScenario.parse(DemoScenario.builtInText().replace("label: \"[2,4]\"",
                "label: \"[4,2]\""), "mislabelled");
        List<DemoRun.StepRow> rows = run(mislabelled, 1, DecisionJournal.inMemory());
        assertThat(StepLabels.pairs(mislabelled, rows)).isNull();
        assertThat(StepLabels.caption(null, mislabelled)).doesNotContain("[a,b]");
    }

    @Test
    void isDeterministicUnderASeed() {
        assertThat(StepsCsv.render(List.of(new AgentRun("solver", "solver", run(5)))))
                .isEqualTo(StepsCsv.render(List.of(new AgentRun("solver", "solver", run(5)))));
    }

    private static boolean uses(DemoRun.StepRow row, String node) {
        return row.orchestrator().placement() != null && row.orchestrator().placement().uses(node);
    }
}
