package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop learning a cluster whose GPUs and links behave unlike the planner's defaults: the simulated truth
 * is a performance model with other parameters, the planner starts from the defaults.
 */
class LearningLoopTest {
    private static final PerformanceModel TRUTH = new PerformanceModel(PerformanceModel.Parameters.defaults()
            .withMemoryBandwidthEfficiency(0.6).withComputeEfficiency(0.3).withLatencyCrossingFactor(5)
            .withStepOverheadMillis(3).withTpotPerItl(1.2));

    private final SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    private final SimulatedCluster sim = SimulatedCluster.builder(clock, ResearchTestbed.NODES, TRUTH).seed(3)
            .noise(0.02, 0.02).restartDelay(Duration.ofSeconds(30)).build();
    private final CalibratedModel learning = CalibratedModel.startingFrom(PerformanceModel.defaults());
    private final List<OrchestratorEvent> events = new ArrayList<>();

    private PlacementOrchestrator orchestrator(DecisionJournal journal) {
        return PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim).metricsSource(sim)
                .agent(new SolverAgent(learning)).calibration(learning).model(ResearchTestbed.FALCON3_10B)
                .objective(Objective.minimizeItl()).clock(clock).cooldown(Duration.ZERO).smoothingWindow(1)
                .journal(journal).listener(events::add).build();
    }

    /** The mean |predicted / true − 1| of TTFT, ITL and TPOT of a placement on the true links now. */
    private double predictionError(Placement running) {
        PlacementRequest truth = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, sim.snapshot(),
                sim.trueConnectivity()).build();
        PipelineMetrics t = TRUTH.predictMetrics(running, truth);
        PipelineMetrics p = learning.current().predictMetrics(running, truth);
        return (Math.abs(p.ttftMillis() / t.ttftMillis() - 1) + Math.abs(p.itlMillis() / t.itlMillis() - 1)
                + Math.abs(p.tpotMillis() / t.tpotMillis() - 1)) / 3;
    }

    private List<TickOutcome> ticks(PlacementOrchestrator o, int n) {
        List<TickOutcome> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofSeconds(10));
            out.add(o.runOnce());
        }
        return out;
    }

    @Test
    void learnsFromEachSteadyWindowAndPredictsWhatRunsWithinFivePercentAfterTwoRuns(@TempDir Path dir) {
        try (DecisionJournal journal = DecisionJournal.openFile(dir.resolve("journal.jsonl"));
                PlacementOrchestrator o = orchestrator(journal)) {
            o.runOnce();
            Placement first = o.running().orElseThrow().placement();
            double errorAtDefaults = predictionError(first);
            ticks(o, 4);                                   // one warm-up sample, three averaged
            sim.setRttMillis("node1", "node2", 6);         // a slower link: another decision, another window
            sim.setRttMillis("node0", "node1", 3);
            List<TickOutcome> later = ticks(o, 12);

            List<DecisionJournal.Learnt> learnt = journal.calibrations();
            assertThat(learnt).extracting(DecisionJournal.Learnt::observations).startsWith(1, 2);
            assertThat(learnt.get(0).adopted()).as("one run cannot show a gain out of sample").isFalse();
            assertThat(learnt).anyMatch(DecisionJournal.Learnt::adopted);
            assertThat(events).anyMatch(e -> e instanceof OrchestratorEvent.Calibrated);
            assertThat(later).anyMatch(t -> t.triggers().contains(Trigger.MODEL_CALIBRATED));
            assertThat(errorAtDefaults).isGreaterThan(0.15);
            assertThat(predictionError(o.running().orElseThrow().placement())).isLessThan(0.05);
        }
        try (DecisionJournal reopened = DecisionJournal.openFile(dir.resolve("journal.jsonl"))) {
            assertThat(reopened.calibrations()).isNotEmpty().allSatisfy(l ->
                    assertThat(l.parameters()).containsKey("latencyCrossingFactor"));
        }
    }

    @Test
    void doesNotLearnWithoutACalibratedModel() {
        try (PlacementOrchestrator o = PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim)
                .metricsSource(sim).agent(new SolverAgent(PerformanceModel.defaults()))
                .model(ResearchTestbed.FALCON3_10B).clock(clock).listener(events::add).build()) {
            o.runOnce();
            ticks(o, 8);

            assertThat(o.journal().calibrations()).isEmpty();
            assertThat(events).noneMatch(e -> e instanceof OrchestratorEvent.Calibrated);
        }
    }
}
