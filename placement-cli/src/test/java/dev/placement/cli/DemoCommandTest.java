package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import dev.placement.api.Placement;
import dev.placement.cli.demo.DemoScenario;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.TickOutcome;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    @Test
    void printsARowPerStepAndWritesAReportHoldingTheChartsAndTheNumbersOfStepsCsv(@TempDir Path dir)
            throws IOException {
        assertThat(run("demo", "--out", dir.toString())).as(err.toString()).isZero();

        String console = out.toString();
        assertThat(console).contains("vLLM default split").contains("[2,10]").contains("node2 fails")
                .contains("why: first start").contains("Report: " + dir.resolve("report.html"));
        List<List<String>> csv = readCsv(dir.resolve("steps.csv"));
        List<String> header = csv.get(0);
        assertThat(csv).hasSize(1 + DemoScenario.builtIn().steps().size());

        String html = Files.readString(dir.resolve("report.html"));
        assertThat(count(html, "<figure class=\"chart\">")).isEqualTo(4);
        assertThat(count(html, "<polyline")).isGreaterThanOrEqualTo(4 * 2);
        assertThat(count(html, "class=\"lane-cell\"")).as("the agent and the 3 fixed series, per step")
                .isEqualTo(4 * DemoScenario.builtIn().steps().size());
        // Self-contained: nothing is fetched when the page opens.
        assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("src=")
                .doesNotContain("href=").doesNotContain("url(").doesNotContain("@import");
        int checked = 0;
        for (List<String> row : csv.subList(1, csv.size())) {
            assertThat(html).contains(">" + row.get(header.indexOf("label")) + "<");
            for (int c = 0; c < header.size(); c++) {
                String name = header.get(c);
                if ((name.endsWith("_ms") || name.endsWith("_tok_s") || name.endsWith("placement"))
                        && !row.get(c).isEmpty()) {
                    assertThat(html).as("column %s of step %s", name, row.get(0)).contains(">" + row.get(c) + "<");
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(csv.size() * 10);
        // Two series that coincide stay visible: the legend says so exactly when their figures agree at every step.
        boolean coincide = csv.subList(1, csv.size()).stream().allMatch(row -> List.of("ttft_ms", "itl_ms", "tpot_ms",
                "output_tok_s").stream().allMatch(m -> row.get(header.indexOf("proportional_" + m))
                .equals(row.get(header.indexOf("vllm_default_" + m)))));
        assertThat(Pattern.compile("<b>memory-proportional</b>:[^<]*<b>Identical to fixed all nodes").matcher(html)
                .find()).isEqualTo(coincide);
        assertThat(Files.readAllLines(dir.resolve("journal.jsonl"))).isNotEmpty()
                .allSatisfy(l -> assertThat(l).startsWith("{\"kind\":"));
        assertThat(dir.resolve("journal-solver.jsonl")).as("one agent keeps journal.jsonl").doesNotExist();
        // What steps.csv had before several agents could run keeps its columns and their places.
        assertThat(header.subList(0, OLD_COLUMNS.size())).isEqualTo(OLD_COLUMNS);
        assertThat(csv.subList(1, csv.size())).allSatisfy(row -> assertThat(row.get(header.indexOf("agent")))
                .isEqualTo("solver"));
    }

    /** The columns of steps.csv before item 6 of issue 17, in order: readers by position keep working. */
    private static final List<String> OLD_COLUMNS = List.of("step", "label", "nodes_up", "rtt_ms", "action",
            "agent_calls", "reconfigurations", "placement", "layer_partition", "ttft_ms", "itl_ms", "tpot_ms",
            "output_tok_s", "predicted_placement", "predicted_layer_partition", "predicted_ttft_ms", "predicted_itl_ms",
            "predicted_tpot_ms", "predicted_output_tok_s", "vllm_default_placement", "vllm_default_layer_partition",
            "vllm_default_ttft_ms", "vllm_default_itl_ms", "vllm_default_tpot_ms", "vllm_default_output_tok_s",
            "proportional_placement", "proportional_layer_partition", "proportional_ttft_ms", "proportional_itl_ms",
            "proportional_tpot_ms", "proportional_output_tok_s", "prediction_error_pct", "truths_choice", "reason");

    @Test
    void severalAgentsRunTheScenarioSideBySideAndOneReportComparesThemWithBothFixedSeries(@TempDir Path dir)
            throws IOException {
        assertThat(run("demo", "--agent", "solver, even", "--out", dir.toString())).as(err.toString()).isZero();

        DemoScenario scenario = DemoScenario.builtIn();
        int steps = scenario.steps().size();
        List<String> agents = List.of("solver", "even");
        assertThat(out.toString()).contains("why: first start", "Side by side", "fixed 2 nodes",
                dir.resolve("journal-solver.jsonl").toString(), dir.resolve("journal-even.jsonl").toString());
        assertThat(dir.resolve("journal.jsonl")).as("journal.jsonl is the single agent's").doesNotExist();
        List<List<String>> csv = readCsv(dir.resolve("steps.csv"));
        List<String> header = csv.get(0);
        List<List<String>> rows = csv.subList(1, csv.size());
        assertThat(rows).hasSize(agents.size() * steps);
        String html = Files.readString(dir.resolve("report.html"));
        Map<String, String[]> lane = attributes(html, LANE_CELL);
        Map<String, String[]> bars = attributes(html, DOWNTIME_BAR);
        // The fixed 2-node series is vLLM's even split of the model's layers over the cluster's first two nodes.
        int layers = scenario.model().layers();
        String twoNodes = "node0:" + layers / 2 + ",node1:" + (layers - layers / 2);

        for (int a = 0; a < agents.size(); a++) {
            String agent = agents.get(a);
            assertThat(html).contains("<b>" + agent + ", measured</b>", "<b>" + agent + ", predicted</b>");
            List<DecisionJournal.Entry> journal = DecisionJournal.read(dir.resolve("journal-" + agent + ".jsonl"));
            assertThat(journal).as("each agent has its own journal").isNotEmpty()
                    .allSatisfy(e -> assertThat(e.agent()).isEqualTo(agent));
            for (int i = 0; i < steps; i++) {
                List<String> row = rows.get(a * steps + i);
                String key = agent + "|" + (i + 1);
                assertThat(cell(header, row, "agent")).isEqualTo(agent);
                assertThat(cell(header, row, "step")).isEqualTo(Integer.toString(i + 1));
                Instant from = DemoCommand.SIMULATION_START.plus(scenario.step().multipliedBy(i));
                Instant to = from.plus(scenario.step());
                Placement ran = ranAt(journal, to);
                assertThat(lane.get(key)[0]).as("the lane shows what the journal says ran at the end of step %s", key)
                        .isEqualTo(ran == null ? "" : ran.toSpec()).isEqualTo(cell(header, row, "placement"));
                List<DecisionJournal.Entry> during = journal.stream()
                        .filter(e -> !e.at().isBefore(from) && e.at().isBefore(to)).toList();
                long restarts = during.stream().filter(e -> e.result().applied()).count();
                double restartSeconds = during.stream().filter(e -> e.result().restartSeconds() != null)
                        .mapToDouble(e -> e.result().restartSeconds()).sum();
                assertThat(Integer.parseInt(lane.get(key)[1])).as("restarts of %s", key).isEqualTo(restarts);
                // Each simulated launch takes the scenario's restart time, and every launch of this run succeeds.
                assertThat(restartSeconds).isEqualTo(restarts * scenario.restart().toSeconds());
                assertThat(Double.parseDouble(bars.get(key)[0])).as("downtime of %s", key).isEqualTo(restartSeconds);
                assertThat(Double.parseDouble(cell(header, row, "downtime_s"))).isEqualTo(restartSeconds);
                assertThat(cell(header, row, "fixed_2_nodes_placement")).isEqualTo(twoNodes);
                // The fixed series depend on the scenario only: every agent's rows show the same.
                for (String c : List.of("vllm_default_placement", "vllm_default_itl_ms", "fixed_2_nodes_itl_ms")) {
                    assertThat(cell(header, row, c)).isEqualTo(cell(header, rows.get(i), c));
                }
                assertThat(lane.get("fixed all nodes|" + (i + 1))[0]).isEqualTo(cell(header, row,
                        "vllm_default_placement"));
                assertThat(lane.get("fixed 2 nodes|" + (i + 1))[0]).isEqualTo(twoNodes);
                assertThat(html).contains(agent + ", measured: " + cell(header, row, "measured_itl_ms") + " ms",
                        agent + ", predicted: " + cell(header, row, "predicted_itl_ms") + " ms",
                        "fixed 2 nodes: " + cell(header, row, "fixed_2_nodes_itl_ms") + " ms");
            }
        }
        assertThat(html).contains("<b>fixed all nodes</b>", "<b>fixed 2 nodes</b>");
        String[] charts = html.split("<figure class=\"chart\">");
        assertThat(charts).hasSize(1 + 4);
        List<String> yTitles = List.of("TTFT (ms)", "ITL (ms)", "TPOT (ms)", "Output throughput (tok/s)");
        for (int k = 1; k < charts.length; k++) {
            String chart = charts[k].substring(0, charts[k].indexOf("</figure>"));
            assertThat(count(chart, "class=\"axis-title\"")).isEqualTo(2);
            assertThat(chart).contains(">" + yTitles.get(k - 1) + "</text>", ">step — [a,b]: RTT added on "
                    + "node0–node1 (a) and node1–node2 (b), ms</text>");
        }
        assertThat(html).contains("<code>[a,b]</code>: the round-trip time added");
    }

    @Test
    void anAgentListWithAnUnknownEmptyOrRepeatedNameOrLlmOptionsWithoutAnLlmIsBadInput(@TempDir Path dir) {
        assertThat(run("demo", "--agent", "solver,oracle", "--out", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(run("demo", "--agent", "solver,", "--out", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(run("demo", "--agent", "even,Even", "--out", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(run("demo", "--agent", "solver,even", "--llm-model", "m", "--out", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString().lines().toList()).containsExactly(
                "placement: --agent: unknown agent 'oracle'; valid agents: solver, even, proportional, openai, gemini "
                        + "(a comma-separated list runs several)",
                "placement: --agent: an empty agent name in 'solver,'; valid agents: solver, even, proportional, "
                        + "openai, gemini (a comma-separated list runs several)",
                "placement: --agent: agent 'even' is given twice in 'even,Even'",
                "placement: --llm-model: applies only with --agent openai or --agent gemini");
        assertThat(out.toString()).as("nothing ran").doesNotContain("why:");
    }

    /** What ran at {@code end} by the journal: the last placement applied or rolled back to, none if degraded. */
    private static Placement ranAt(List<DecisionJournal.Entry> journal, Instant end) {
        Placement ran = null;
        for (DecisionJournal.Entry e : journal) {
            if (!e.at().isBefore(end)) {
                break;
            }
            if (e.result().applied()) {
                ran = e.decision().placement();
            } else if (e.result().action() == TickOutcome.Action.ROLLED_BACK) {
                ran = e.context().running();
            } else if (e.result().action() == TickOutcome.Action.DEGRADED) {
                ran = null;
            }
        }
        return ran;
    }

    private static final Pattern LANE_CELL = Pattern.compile("<g class=\"lane-cell\" data-series=\"([^\"]*)\" "
            + "data-step=\"(\\d+)\" data-placement=\"([^\"]*)\" data-reconfigurations=\"(\\d+)\">");
    private static final Pattern DOWNTIME_BAR = Pattern.compile("<rect class=\"downtime-bar\" data-series=\"([^\"]*)\" "
            + "data-step=\"(\\d+)\" data-downtime-s=\"([^\"]*)\"");

    /** @return by {@code series|step}, the further attributes the pattern captures */
    private static Map<String, String[]> attributes(String html, Pattern p) {
        Map<String, String[]> out = new LinkedHashMap<>();
        Matcher m = p.matcher(html);
        while (m.find()) {
            String[] rest = new String[m.groupCount() - 2];
            for (int g = 3; g <= m.groupCount(); g++) {
                rest[g - 3] = m.group(g);
            }
            assertThat(out.put(m.group(1) + "|" + m.group(2), rest)).as("one per series and step").isNull();
        }
        return out;
    }

    private static String cell(List<String> header, List<String> row, String column) {
        assertThat(header).contains(column);
        return row.get(header.indexOf(column));
    }

    @Test
    void printsTheBuiltInScenarioWhichReadsBackAsTheSameScenario() {
        assertThat(run("demo", "--print-scenario")).isZero();

        assertThat(DemoScenario.parse(out.toString(), "printed")).isEqualTo(DemoScenario.builtIn());
    }

    @Test
    void scenarioWithAKeyGivenTwiceIsASyntaxErrorLikeEveryInputFile() {
        String twice = DemoScenario.builtInText().replaceFirst("(?m)^model: .*$", "$0\nmodel: facebook/opt-125m");
        assertThatThrownBy(() -> DemoScenario.parse(twice, "twice.yaml"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("twice.yaml: syntax error at line ")
                .hasMessageContaining("model");
    }

    @Test
    void aScenariosTruthNamesTheModelsParametersAndABadOneNamesFileFieldAndValue() {
        String text = DemoScenario.builtInText();
        assertThat(DemoScenario.builtIn().truth().latencyCrossingFactor()).isEqualTo(5.0);
        assertThat(DemoScenario.parse(text.replaceFirst("(?m)^truth:(.|\\n)*?(?=^steps:)", ""), "none").truth())
                .as("without a truth block the cluster behaves as the planner predicts").isNull();

        assertThatThrownBy(() -> DemoScenario.parse(text.replace("tpotPerItl: 1.25", "tpotPerTok: 1.25"), "t.yaml"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("t.yaml: truth.tpotPerTok: unknown parameter; valid parameters: "
                        + "memoryBandwidthEfficiency");
        assertThatThrownBy(() -> DemoScenario.parse(text.replace("computeEfficiency: 0.30", "computeEfficiency: 3"),
                "t.yaml")).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("t.yaml: truth.computeEfficiency: ").hasMessageContaining("3");
    }

    @Test
    void rejectsAnUnknownAgentWithTheValidOnes(@TempDir Path dir) {
        assertThat(run("demo", "--agent", "oracle", "--out", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).contains("--agent: unknown agent 'oracle'; valid agents: solver, even");
    }

    @Test
    void namesTheScenarioFileFieldAndValueOfABadStep(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, DemoScenario.builtInText().replace("recover: [node2]", "recover: [node7]"));

        assertThat(run("demo", "--scenario", file.toString(), "--out", dir.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString().strip()).isEqualTo("placement: " + file + ": steps[7].recover[0]: unknown node "
                + "'node7'; nodes: node0, node1, node2");
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    private static List<List<String>> readCsv(Path file) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        Pattern cell = Pattern.compile("\"((?:[^\"]|\"\")*)\"|([^,]*)");
        for (String line : Files.readAllLines(file)) {
            List<String> cells = new ArrayList<>();
            Matcher m = cell.matcher(line);
            int pos = 0;
            while (pos <= line.length() && m.find(pos)) {
                cells.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
                pos = m.end() + 1;
            }
            rows.add(cells);
        }
        return rows;
    }
}
