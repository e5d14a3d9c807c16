package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import dev.placement.cli.demo.DemoScenario;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        assertThat(count(html, "<svg")).isEqualTo(4);
        assertThat(count(html, "<polyline")).isGreaterThanOrEqualTo(4 * 2);
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
        assertThat(Files.readAllLines(dir.resolve("journal.jsonl"))).isNotEmpty()
                .allSatisfy(l -> assertThat(l).startsWith("{\"kind\":"));
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
        assertThat(run("demo", "--agent", "oracle", "--out", dir.toString())).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
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
