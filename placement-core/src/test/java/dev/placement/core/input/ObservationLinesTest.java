package dev.placement.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.Workload;
import dev.placement.core.Observation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObservationLinesTest {

    private static final String CLUSTER = """
            nodes:
              - {id: node0, address: 10.0.0.10, gpu: T4}
              - {id: node1, address: 10.0.0.11, gpu: T4}
              - {id: node2, address: 10.0.0.12, gpu: T4}
            """;
    private static final String LINKS = """
            rttMillis:
              node0: {node1: 0.4}
              node1: {node2: 0.4}
            """;
    private static final String FULL = "{\"cluster\": \"../config/cluster.yaml\", \"connectivity\": "
            + "\"../config/links.yaml\", \"model\": \"tiiuae/Falcon3-10B-Base\", \"placement\": \"node0:20,node1:20\", "
            + "\"maxModelLen\": 2048, \"workload\": {\"inputTokens\": 1024, \"outputTokens\": 64, "
            + "\"concurrency\": 16}, "
            + "\"measured\": {\"mean_ttft_ms\": 210.5, \"mean_itl_ms\": 81.25, \"mean_tpot_ms\": 96, "
            + "\"output_throughput\": 170.0}}";

    @TempDir
    Path dir;
    Path runs;

    @BeforeEach
    void companions() throws IOException {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/cluster.yaml"), CLUSTER);
        Files.writeString(dir.resolve("config/links.yaml"), LINKS);
        runs = Files.createDirectories(dir.resolve("runs"));
    }

    private Path observations(String... lines) throws IOException {
        return Files.writeString(runs.resolve("obs.jsonl"), String.join("\n", lines) + "\n");
    }

    /** {@link #FULL} with one field's JSON text replaced, or removed when {@code json} is null. */
    private static String full(String field, String json) {
        int at = FULL.indexOf("\"" + field + "\": ");
        int valueStart = at + field.length() + 4;
        int end = valueEnd(FULL, valueStart);
        String before = FULL.substring(0, at);
        String after = FULL.substring(end);
        if (json != null) {
            return before + "\"" + field + "\": " + json + after;
        }
        return after.startsWith(", ") ? before + after.substring(2) : before.substring(0, before.length() - 2) + after;
    }

    private static int valueEnd(String s, int start) {
        int depth = 0;
        boolean quoted = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '{') {
                depth++;
            } else if (!quoted && c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (!quoted && depth == 0 && c == ',') {
                return i;
            }
        }
        return s.length();
    }

    @Test
    void readsEveryFieldWithCompanionFilesRelativeToTheObservationsFile() throws IOException {
        List<Observation> read = ClusterFiles.readObservations(observations(FULL));

        assertThat(read).hasSize(1);
        Observation o = read.get(0);
        assertThat(o.placement()).isEqualTo(Placement.parse("node0:20,node1:20"));
        assertThat(o.request().cluster().nodeIds()).containsExactly("node0", "node1", "node2");
        assertThat(o.request().connectivity().hasLink("node1", "node2")).isTrue();
        assertThat(o.request().model().name()).isEqualTo("tiiuae/Falcon3-10B-Base");
        assertThat(o.request().maxModelLen()).isEqualTo(2048);
        assertThat(o.request().workload()).isEqualTo(new Workload(1024, 64, 16));
        assertThat(o.measured()).isEqualTo(new PipelineMetrics(210.5, 81.25, 96, 170,
                PipelineMetrics.Source.MEASURED));
    }

    @Test
    void defaultsTheOptionalFieldsAndSkipsBlankAndCommentLines() throws IOException {
        String minimal = full("workload", null).replace(", \"maxModelLen\": 2048", "");
        List<Observation> read = ClusterFiles.readObservations(observations("# runs of 2026-12-01", "", minimal,
                "   ", full("workload", "{\"concurrency\": 4}")));

        assertThat(read).hasSize(2);
        assertThat(read.get(0).request().workload()).isEqualTo(Workload.DEFAULT);
        assertThat(read.get(0).request().maxModelLen()).isEqualTo(read.get(0).request().model().defaultMaxModelLen());
        assertThat(read.get(1).request().workload()).isEqualTo(new Workload(512, 128, 4));
        // The companion files are read once and shared by every line that names them.
        assertThat(read.get(1).request().cluster()).isSameAs(read.get(0).request().cluster());
        assertThat(read.get(1).request().connectivity()).isSameAs(read.get(0).request().connectivity());
    }

    @Test
    void aPastedBenchResultGivesItsFourMeansAndMissingOnesAreNotMeasured() throws IOException {
        String bench = "{\"date\": \"20261201-101010\", \"label\": null, \"max_concurrency\": null, "
                + "\"completed\": 200, \"mean_ttft_ms\": 190.0, \"median_ttft_ms\": 180.0, \"mean_itl_ms\": 80.0, "
                + "\"output_throughput\": 150.5, \"failure_reasons\": {}, \"interrupted\": false, \"itls\": [[0.1]]}";
        Observation o = ClusterFiles.readObservations(observations(full("measured", bench))).get(0);

        assertThat(o.measured()).isEqualTo(new PipelineMetrics(190, 80, 0, 150.5, PipelineMetrics.Source.MEASURED));
    }

    @Test
    void aConfigJsonModelIsRelativeToTheObservationsFile() throws IOException {
        Path model = Files.createDirectories(runs.resolve("falcon"));
        try (InputStream in = getClass().getResourceAsStream(
                "/dev/placement/core/catalog/models/tiiuae--Falcon3-10B-Base.json")) {
            Files.write(model.resolve("config.json"), in.readAllBytes());
        }
        Observation o = ClusterFiles.readObservations(observations(full("model", "\"falcon/config.json\""),
                full("model", "\"falcon\""))).get(1);

        assertThat(o.request().model().layers()).isEqualTo(40);
    }

    @Test
    void everyProblemNamesTheFileTheLineAndTheField() throws IOException {
        String file = runs.resolve("obs.jsonl").toString();
        assertBad(file + ": line 2: speed: unknown field; valid fields: cluster, connectivity, maxModelLen, measured, "
                + "model, placement, workload", "# header", FULL.replace("{\"cluster\"", "{\"speed\": 1, \"cluster\""));
        assertBad(file + ": line 1: placement: missing; each line is one object like", full("placement", null));
        assertBad(file + ": line 1: measured.mean_itl_ms: must be a number >= 0 (0 = not measured), was -3.0",
                full("measured", "{\"mean_itl_ms\": -3.0}"));
        assertBad(file + ": line 1: measured.mean_ttft_ms: must be a number >= 0 (0 = not measured), was 'fast'",
                full("measured", "{\"mean_ttft_ms\": \"fast\"}"));
        assertBad(file + ": line 1: measured: missing; give vllm bench serve's mean_ttft_ms",
                full("measured", null));
        assertBad(file + ": line 1: workload.prompt: unknown field; valid fields: concurrency, inputTokens, "
                + "outputTokens", full("workload", "{\"prompt\": 5}"));
        assertBad(file + ": line 1: workload.concurrency: must be a whole number >= 1, was 0",
                full("workload", "{\"concurrency\": 0}"));
        assertBad(file + ": line 1: maxModelLen: must be a whole number >= 1, was 2.5", full("maxModelLen", "2.5"));
        assertBad(file + ": line 1: maxModelLen: must be 1 to tiiuae/Falcon3-10B-Base's context length 32768, was "
                + "40000", full("maxModelLen", "40000"));
        assertBad(file + ": line 1: placement: 'node0:20,node9:20': node 'node9' is not among the cluster's nodes",
                full("placement", "\"node0:20,node9:20\""));
        assertBad(file + ": line 1: placement: 'node0:20,node2:20': no link is known from 'node0' to 'node2'",
                full("placement", "\"node0:20,node2:20\""));
        assertBad(file + ": line 1: placement: 'node0:20,node1:19': the layer counts [20, 19] sum to 39",
                full("placement", "\"node0:20,node1:19\""));
        assertBad(file + ": line 1: placement: 'node0:x': ", full("placement", "\"node0:x\""));
        assertBad(file + ": line 1: cluster: must be non-empty text, found 3", full("cluster", "3"));
        assertBad(file + ": line 1: cluster: " + dir.resolve("config/none.yaml") + ": file not found",
                full("cluster", "\"../config/none.yaml\""));
        assertBad(file + ": line 1: not valid JSON at column 12 (Unexpected end-of-input within/between Object "
                + "entries); each line is one object like", "{\"cluster\": ");
        // Jackson names where an unclosed object began in a source it has redacted: the message leaves that out.
        assertBad(file + ": line 1: not valid JSON at column 21 (Unexpected end-of-input: expected close marker for "
                + "Object); each line is one object like", "{\"cluster\": \"c.yaml\"");
        assertBad(file + ": line 1: not valid JSON at column ", FULL + " {}");
        assertBad(file + ": line 1: must be a JSON object like", "[1, 2]");
    }

    @Test
    void aProblemInACompanionFileNamesTheLineAndThatFile() throws IOException {
        Files.writeString(dir.resolve("config/links.yaml"), "rttMillis: {node0: {node7: 1}}\n");

        assertBad(runs.resolve("obs.jsonl") + ": line 1: connectivity: links.yaml: rttMillis.node0.node7: unknown "
                + "node 'node7'", FULL);
    }

    @Test
    void aModelThatIsNeitherKnownNorAFileIsNamed() throws IOException {
        assertBad(runs.resolve("obs.jsonl") + ": line 1: model: '" + runs.resolve("gpt-9")
                + "' is neither a known model nor a config.json", full("model", "\"gpt-9\""));
    }

    @Test
    void readsAreBounded() throws IOException {
        assertBad(runs.resolve("obs.jsonl") + ": line 2: longer than 1048576 characters",
                FULL, "#" + "x".repeat(ObservationLines.MAX_LINE_CHARS));
        Path big = runs.resolve("big.jsonl");
        Files.write(big, new byte[ObservationLines.MAX_BYTES + 1]);
        assertThatThrownBy(() -> ClusterFiles.readObservations(big)).isInstanceOf(InvalidInputException.class)
                .hasMessage(big + ": larger than 16777216 bytes; split the observations over several files");
    }

    @Test
    void aFileWithoutObservationsIsAnError() throws IOException {
        assertBad(runs.resolve("obs.jsonl") + ": holds no observation; expected one JSON object per line", "# none");
        Path missing = runs.resolve("missing.jsonl");
        assertThatThrownBy(() -> ClusterFiles.readObservations(missing)).isInstanceOf(InvalidInputException.class)
                .hasMessage(missing + ": file not found");
    }

    private void assertBad(String messageStart, String... lines) throws IOException {
        Path file = observations(lines);
        assertThatThrownBy(() -> ClusterFiles.readObservations(file)).as(String.join("\n", lines))
                .isInstanceOf(InvalidInputException.class).message().startsWith(messageStart);
    }
}
