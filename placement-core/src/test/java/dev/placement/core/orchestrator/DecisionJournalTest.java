package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.AgentProposal;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionJournalTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private static final Placement TWO = Placement.parse("node0:20,node1:20");

    private static DecisionJournal.Entry draft(String rationale, AgentProposal proposal) {
        ConnectivityMap links = ConnectivityMap.builder().link("node0", "node1", 2.5).unreachable("node2")
                .measuredAt(AT).build();
        DecisionJournal.Entry.Context context = new DecisionJournal.Entry.Context(List.of("node0", "node1"), links,
                Objective.minimizeItl().withMaxTtftMillis(2000), Workload.DEFAULT,
                Placement.parse("node0:13,node1:14,node2:13"), null);
        PlacementDecision decision = new PlacementDecision(TWO, "openai", rationale,
                new PipelineMetrics(1000, 90, 91, 80, PipelineMetrics.Source.PREDICTED), proposal);
        return new DecisionJournal.Entry(0, AT, Set.of(Trigger.NODE_LEFT), context, "openai", decision,
                new DecisionJournal.Entry.Result(TickOutcome.Action.RECONFIGURED, true, "node2 is gone", 61.5), null);
    }

    @Test
    void writesEveryFieldAndReadsItBackExactly(@TempDir Path dir) {
        Path file = dir.resolve("j.jsonl");
        AgentProposal proposal = new AgentProposal("openai", "gpt-5-mini", TWO, true, "within 5% of the solver");
        String tricky = "line one\nsays \"drop node2\", then {braces} and <tags>";
        try (DecisionJournal journal = DecisionJournal.openFile(file)) {
            long id = journal.recordDecision(draft(tricky, proposal)).id();
            journal.recordMeasured(id, TWO, new PipelineMetrics(1010, 92, 93, 79, PipelineMetrics.Source.MEASURED),
                    AT.plusSeconds(70));
            journal.recordMeasured(id, TWO, new PipelineMetrics(1, 1, 1, 1, PipelineMetrics.Source.MEASURED),
                    AT.plusSeconds(80));
        }

        List<DecisionJournal.Entry> read = DecisionJournal.read(file);

        assertThat(read).hasSize(1);
        DecisionJournal.Entry e = read.get(0);
        assertThat(e.id()).isEqualTo(1);
        assertThat(e).isEqualTo(draft(tricky, proposal).withId(1).withMeasurement(new DecisionJournal.Entry.Measurement(
                TWO, new PipelineMetrics(1010, 92, 93, 79, PipelineMetrics.Source.MEASURED), AT.plusSeconds(70))));
        assertThat(e.decision().rationale()).isEqualTo(tricky);
        assertThat(e.decision().proposal()).isEqualTo(proposal);
        assertThat(e.context().objective()).isEqualTo(Objective.minimizeItl().withMaxTtftMillis(2000));
        assertThat(e.context().connectivity().requireRttMillis("node1", "node0")).isEqualTo(2.5);
        assertThat(e.context().connectivity().unreachableNodes()).containsExactly("node2");
        assertThat(e.result().restartSeconds()).isEqualTo(61.5);
        assertThat(e.measurement().metrics().itlMillis()).isEqualTo(92);
        assertThat(e.measurement().at()).isEqualTo(AT.plusSeconds(70));
    }

    @Test
    void keepsAGoodputObjectiveWithItsSlo(@TempDir Path dir) {
        Path file = dir.resolve("j.jsonl");
        Objective goodput = Objective.maximizeGoodput(Slo.parse("ttft=2000,itl=120"));
        DecisionJournal.Entry d = draft("goodput", null);
        DecisionJournal.Entry.Context c = d.context();
        try (DecisionJournal journal = DecisionJournal.openFile(file)) {
            journal.recordDecision(new DecisionJournal.Entry(0, d.at(), d.triggers(), new DecisionJournal.Entry.Context(
                    c.nodes(), c.connectivity(), goodput, c.workload(), c.running(), c.runningPredicted()), d.agent(),
                    d.decision(), d.result(), null));
        }

        assertThat(DecisionJournal.read(file)).singleElement()
                .satisfies(e -> assertThat(e.context().objective()).isEqualTo(goodput));
    }

    @Test
    void continuesNumberingWhenReopenedAndHandsMeasuredPlacementsToTheLlmHistory(@TempDir Path dir) {
        Path file = dir.resolve("j.jsonl");
        try (DecisionJournal journal = DecisionJournal.openFile(file)) {
            journal.recordDecision(draft("first", null));
        }
        try (DecisionJournal journal = DecisionJournal.openFile(file)) {
            DecisionJournal.Entry second = journal.recordDecision(draft("second", null));
            assertThat(second.id()).isEqualTo(2);
            assertThat(journal.outcomes()).isEmpty();
            journal.recordMeasured(2, TWO, new PipelineMetrics(1, 95, 95, 70, PipelineMetrics.Source.MEASURED), AT);

            assertThat(journal.outcomes()).singleElement().satisfies(o -> {
                assertThat(o.placement()).isEqualTo(TWO);
                assertThat(o.measured().itlMillis()).isEqualTo(95);
                assertThat(o.connectivity().requireRttMillis("node0", "node1")).isEqualTo(2.5);
            });
        }
    }

    @Test
    void namesTheFileAndLineOfALineThatIsNotAJournalLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("j.jsonl");
        Files.writeString(file, "{\"kind\":\"decision\"\n");

        assertThatThrownBy(() -> DecisionJournal.read(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(file + ": line 1: not a JSON object");

        Files.writeString(file, "{\"kind\":\"gossip\"}\n");
        assertThatThrownBy(() -> DecisionJournal.openFile(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line 1: not a decision-journal line: 'kind' must be 'decision', 'measured' "
                        + "or 'calibration'");
    }

    @Test
    void keepsWhatTheLoopLearntBesideTheDecisionsAndReadsItBack(@TempDir Path dir) {
        Path file = dir.resolve("j.jsonl");
        DecisionJournal.Learnt learnt = new DecisionJournal.Learnt(AT, TWO, 3, true, 0.31, 0.02,
                java.util.Map.of("latencyCrossingFactor", 4.9), "adopted the fit over 3 observations");
        DecisionJournal.Learnt nothingYet = new DecisionJournal.Learnt(AT.plusSeconds(60), TWO, 1, false, Double.NaN,
                Double.NaN, java.util.Map.of(), "one run cannot show a gain");
        try (DecisionJournal journal = DecisionJournal.openFile(file)) {
            journal.recordDecision(draft("first", null));
        }
        try (java.io.BufferedWriter w = Files.newBufferedWriter(file, java.nio.file.StandardOpenOption.APPEND)) {
            w.write(JournalLines.calibration(learnt) + "\n" + JournalLines.calibration(nothingYet) + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        try (DecisionJournal reopened = DecisionJournal.openFile(file)) {
            assertThat(reopened.entries()).hasSize(1);
            assertThat(reopened.calibrations()).containsExactly(learnt, nothingYet);
        }
    }
}
