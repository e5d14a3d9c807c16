package dev.placement.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.core.CalibratedModel;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a run from its decision journal alone: a journal written by a real orchestrator on a simulated
 * cluster whose links slow down, read back from its file and rendered; every figure checked against the
 * entries.
 */
class JournalReportTest {
    private static final Pattern LANE_CELL = Pattern.compile("<g class=\"lane-cell\" data-series=\"([^\"]*)\" "
            + "data-step=\"(\\d+)\" data-placement=\"([^\"]*)\" data-reconfigurations=\"(\\d+)\">(.*?)</g>");
    private static final Pattern BAR = Pattern.compile("<rect class=\"downtime-bar\" data-series=\"([^\"]*)\" "
            + "data-step=\"(\\d+)\" data-downtime-s=\"([^\"]*)\"");
    private static final Pattern ROW = Pattern.compile("<tr[^>]* data-decision=\"(\\d+)\">(.*?)</tr>");

    @TempDir
    static Path journalDir;
    private static List<DecisionJournal.Entry> entries;

    /** Runs the orchestrator: first start, steady ticks, then links slow down and recover, so that it moves. */
    @BeforeAll
    static void runTheLoop() {
        SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        SimulatedCluster sim = SimulatedCluster.builder(clock, ResearchTestbed.NODES, PerformanceModel.defaults())
                .seed(7).noise(0.02, 0.02).restartDelay(Duration.ofSeconds(30)).build();
        CalibratedModel planner = CalibratedModel.startingFrom(PerformanceModel.defaults());
        Path file = journalDir.resolve("journal.jsonl");
        try (DecisionJournal journal = DecisionJournal.openFile(file);
                PlacementOrchestrator o = PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(sim)
                        .metricsSource(sim).agent(new SolverAgent(planner)).calibration(planner)
                        .model(ResearchTestbed.FALCON3_10B).objective(Objective.minimizeItl()).clock(clock)
                        .cooldown(Duration.ZERO).smoothingWindow(1).journal(journal).build()) {
            o.runOnce();
            ticks(clock, o, 4);
            sim.setRttMillis("node0", "node2", 9);
            sim.setRttMillis("node1", "node2", 9);
            ticks(clock, o, 4);
            sim.setRttMillis("node0", "node1", 12);
            ticks(clock, o, 6);
            sim.setRttMillis("node0", "node1", 0.2);
            ticks(clock, o, 6);
            sim.setRttMillis("node1", "node2", 14); // a link the running placement does not use: kept
            ticks(clock, o, 6);
            sim.setRttMillis("node0", "node1", 4);
            ticks(clock, o, 1); // the last decision: nothing is measured after it
        }
        entries = DecisionJournal.read(file);
    }

    private static void ticks(SimulatedClock clock, PlacementOrchestrator o, int n) {
        for (int i = 0; i < n; i++) {
            clock.advance(Duration.ofSeconds(10));
            o.runOnce();
        }
    }

    /** What the lane must show after entry i, from the journal alone: what the next decision saw running. */
    private static Placement expectedInForce(int i) {
        DecisionJournal.Entry e = entries.get(i);
        Placement p = e.result().action() == TickOutcome.Action.RECONFIGURED ? e.decision().placement()
                : e.result().action() == TickOutcome.Action.DEGRADED ? null : e.context().running();
        if (i + 1 < entries.size()) {
            assertThat(entries.get(i + 1).context().running()).as("what ran when decision %d came", i + 2)
                    .isEqualTo(p);
        }
        return p;
    }

    @Test
    void theJournalReconfiguresAndHasDecisionsWithAndWithoutMeasurements() {
        assertThat(entries).extracting(e -> e.result().action()).contains(TickOutcome.Action.RECONFIGURED)
                .filteredOn(a -> a == TickOutcome.Action.RECONFIGURED).hasSizeGreaterThanOrEqualTo(2);
        assertThat(entries).extracting(e -> e.result().action()).contains(TickOutcome.Action.KEPT);
        assertThat(entries).anyMatch(e -> e.measurement() != null).anyMatch(e -> e.measurement() == null);
        assertThat(entries.get(entries.size() - 1).measurement()).isNull();
    }

    @Test
    void theLaneHoldsThePlacementInForceAfterEachDecisionWithItsActionAndRestarts(@TempDir Path dir)
            throws IOException {
        String html = Files.readString(JournalReport.write(dir, "run on the testbed", entries));

        Matcher m = LANE_CELL.matcher(html);
        int i = 0;
        for (; m.find(); i++) {
            DecisionJournal.Entry e = entries.get(i);
            Placement p = expectedInForce(i);
            assertThat(m.group(1)).isEqualTo("solver");
            assertThat(m.group(2)).isEqualTo(String.valueOf(i + 1));
            assertThat(m.group(3)).as("decision %d", e.id()).isEqualTo(p == null ? "" : p.toSpec());
            boolean restart = e.result().restartSeconds() != null;
            assertThat(m.group(4)).isEqualTo(restart ? "1" : "0");
            String action = e.result().action().name().toLowerCase(Locale.ROOT).replace('_', ' ');
            assertThat(m.group(5)).contains(">" + action + (restart ? String.format(Locale.ROOT, " · %.0f s",
                    e.result().restartSeconds()) : "") + "</text>");
        }
        assertThat(i).as("one cell per decision").isEqualTo(entries.size());
    }

    @Test
    void measuredFiguresAppearExactlyWhereTheJournalHasMeasurementsAndRestartsTakeTheirSeconds(@TempDir Path dir)
            throws IOException {
        String html = Files.readString(JournalReport.write(dir, "run on the testbed", entries));

        Matcher row = ROW.matcher(html);
        List<String> itlTooltips = new ArrayList<>();
        List<String> ttftTooltips = new ArrayList<>();
        int i = 0;
        for (; row.find(); i++) {
            DecisionJournal.Entry e = entries.get(i);
            assertThat(row.group(1)).isEqualTo(String.valueOf(e.id()));
            DecisionJournal.Entry.Measurement ms = e.measurement();
            if (ms != null) {
                assertThat(ms.placement()).as("measured what decision %d left in force", e.id())
                        .isEqualTo(expectedInForce(i));
                itlTooltips.add("solver, measured: " + DemoFormat.Metric.ITL.format(ms.metrics()) + " ms");
                ttftTooltips.add("solver, measured: " + DemoFormat.Metric.TTFT.format(ms.metrics()) + " ms");
            }
            assertThat(cell(row.group(2), "measured-itl")).as("decision %d", e.id())
                    .isEqualTo(ms == null ? "—" : DemoFormat.Metric.ITL.format(ms.metrics()));
            assertThat(cell(row.group(2), "measured-ttft"))
                    .isEqualTo(ms == null ? "—" : DemoFormat.Metric.TTFT.format(ms.metrics()));
            Double restart = e.result().restartSeconds();
            assertThat(cell(row.group(2), "restart")).isEqualTo(restart == null ? "—" : DemoFormat.seconds(restart));
        }
        assertThat(i).as("one table row per decision").isEqualTo(entries.size());
        assertThat(tooltips(figure(html, "ITL"), "solver, measured")).isEqualTo(itlTooltips);
        assertThat(tooltips(figure(html, "TTFT"), "solver, measured")).isEqualTo(ttftTooltips);

        Matcher bar = BAR.matcher(html);
        int bars = 0;
        for (; bar.find(); bars++) {
            Double restart = entries.get(bars).result().restartSeconds();
            assertThat(bar.group(2)).isEqualTo(String.valueOf(bars + 1));
            assertThat(bar.group(3)).isEqualTo(DemoFormat.seconds(restart == null ? 0 : restart));
        }
        assertThat(bars).isEqualTo(entries.size());
        assertThat(entries).anyMatch(e -> e.result().restartSeconds() != null && e.result().restartSeconds() >= 30);
    }

    @Test
    void chartsHaveAxisTitlesWithUnitsAndFollowEachLinksRtt(@TempDir Path dir) throws IOException {
        String html = Files.readString(JournalReport.write(dir, "run <on> the testbed", entries));

        double span = JournalRow.of(entries).stream().mapToDouble(JournalRow::seconds).max().orElseThrow();
        String unit = span < 120 ? "s" : "min";
        assertThat(html).contains("<title>run &lt;on&gt; the testbed</title>", ">TTFT (ms)</text>", ">ITL (ms)</text>",
                ">Output throughput (tok/s)</text>", ">Link RTT (ms)</text>", ">downtime (s)</text>",
                ">decision: time since the first (" + unit + "), and its trigger</text>");
        assertThat(count(html, "<figure class=\"chart\">")).isEqualTo(4);
        // Self-contained: nothing is fetched when the page opens.
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("src=")
                .doesNotContain("href=").doesNotContain("url(").doesNotContain("@import");
        // The slowed link, as each decision was given it: the mean of both directions.
        List<String> expected = new ArrayList<>();
        for (DecisionJournal.Entry e : entries) {
            double there = e.context().connectivity().rttMillis("node0", "node2").orElseThrow();
            double back = e.context().connectivity().rttMillis("node2", "node0").orElseThrow();
            expected.add(String.format(Locale.ROOT, "node0–node2: %.2f ms", (there + back) / 2));
        }
        assertThat(tooltips(figure(html, "Link RTT"), "node0–node2")).isEqualTo(expected);
        assertThat(expected.get(expected.size() - 1)).isNotEqualTo(expected.get(0));
        // Each decision's label on the x axis: its time and first trigger.
        String first = entries.get(0).triggers().stream().sorted().findFirst().orElseThrow().name()
                .toLowerCase(Locale.ROOT).replace('_', ' ');
        assertThat(figure(html, "ITL")).contains(">0 " + unit + "<tspan x=\"", "\">" + first + "</tspan>");
    }

    @Test
    void aMeasurementOfAnotherPlacementIsNotShownAndOneTakenAfterTheNextDecisionIsItsOwn(@TempDir Path dir) {
        int k = entries.size() - 2; // a decision measured before the last one, which has no measurement
        DecisionJournal.Entry e = entries.get(k);
        assertThat(e.measurement()).as("decision %d was measured", e.id()).isNotNull();
        Placement other = Placement.of(List.of("node2"), List.of(40));
        PipelineMetrics metrics = e.measurement().metrics();
        List<DecisionJournal.Entry> moved = new ArrayList<>(entries);
        moved.set(k, with(e, new DecisionJournal.Entry.Measurement(other, metrics, e.measurement().at())));
        assertThat(JournalRow.of(moved).get(k).measured()).as("measured on another placement").isNull();

        DecisionJournal.Entry next = entries.get(k + 1);
        Placement afterNext = JournalRow.inForce(next);
        moved.set(k, with(e, new DecisionJournal.Entry.Measurement(afterNext, metrics, next.at().plusSeconds(1))));
        List<JournalRow> rows = JournalRow.of(moved);
        assertThat(rows.get(k).measured()).isNull();
        assertThat(rows.get(k + 1).measured()).as("taken after the next decision: what that one left in force")
                .isNotNull().extracting(DecisionJournal.Entry.Measurement::metrics).isEqualTo(metrics);
    }

    @Test
    void anEmptyJournalGivesAReportThatSaysNoDecisionWasMade(@TempDir Path dir) throws IOException {
        Path file = JournalReport.write(dir, "nothing ran", List.of());

        assertThat(file).isEqualTo(dir.resolve("report.html"));
        String html = Files.readString(file);
        assertThat(html).contains("<h1>nothing ran</h1>", "No decision was made").doesNotContain("<figure")
                .doesNotContain("lane-cell").endsWith("</html>\n");
    }

    @Test
    void rejectsABlankTitleANullEntryAndAnOutputThatIsNotADirectory(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> JournalReport.write(dir, " ", entries)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("title");
        assertThatThrownBy(() -> JournalReport.write(dir, "t", Arrays.asList(entries.get(0), null)))
                .isInstanceOf(NullPointerException.class);
        Path notADir = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> JournalReport.write(notADir, "t", entries)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("--out");
        assertThat(dir.resolve("report.html")).doesNotExist();
    }

    private static DecisionJournal.Entry with(DecisionJournal.Entry e, DecisionJournal.Entry.Measurement m) {
        return new DecisionJournal.Entry(e.id(), e.at(), e.triggers(), e.context(), e.agent(), e.decision(),
                e.result(), m);
    }

    /** @return the text of a table row's cell of a kind */
    private static String cell(String row, String kind) {
        Matcher m = Pattern.compile("<td class=\"" + kind + "\">([^<]*)</td>").matcher(row);
        assertThat(m.find()).as("a %s cell", kind).isTrue();
        return m.group(1);
    }

    /** @return the chart figure of a metric */
    private static String figure(String html, String title) {
        int start = html.indexOf("aria-label=\"" + title + " per decision\"");
        assertThat(start).as("a chart of %s", title).isPositive();
        return html.substring(start, html.indexOf("</figure>", start));
    }

    /** @return the tooltips of a line's markers, in decision order */
    private static List<String> tooltips(String svg, String line) {
        Matcher m = Pattern.compile("<title>(" + Pattern.quote(line) + ": [^<]*)</title>").matcher(svg);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static int count(String s, String of) {
        return s.split(Pattern.quote(of), -1).length - 1;
    }
}
