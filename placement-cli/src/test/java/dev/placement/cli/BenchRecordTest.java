package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.Workload;
import dev.placement.core.Observation;
import dev.placement.core.input.ClusterFiles;
import dev.placement.sim.LoopbackStreamingServer;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement bench --record} against the loopback streaming server: the line it appends holds what the
 * benchmark printed, and {@code calibrate} reads it back.
 */
class BenchRecordTest {

    private static final String MODEL = "tiiuae/Falcon3-10B-Base";

    @TempDir
    Path dir;
    Path cluster;
    Path links;
    Path runs;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws IOException {
        Path config = Files.createDirectories(dir.resolve("config"));
        cluster = Files.writeString(config.resolve("cluster.yaml"), PlanCommandTest.CLUSTER);
        links = Files.writeString(config.resolve("links.yaml"), PlanCommandTest.SLOW_NODE2);
        runs = Files.createDirectories(dir.resolve("runs")).resolve("obs.jsonl");
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return CapturingCli.writingTo(out, err).execute(args);
    }

    private List<String> bench(LoopbackStreamingServer server, String... extra) {
        List<String> args = new ArrayList<>(List.of("bench", "--url", server.baseUrl().toString(), "--num-prompts",
                "4", "--input-len", "8", "--output-len", "5", "--num-warmups", "0", "--json"));
        args.addAll(List.of(extra));
        return args;
    }

    private List<String> recording(LoopbackStreamingServer server, String... extra) {
        List<String> args = bench(server, "--record", runs.toString(), "--cluster", cluster.toString(),
                "--connectivity", links.toString(), "--placement", "node0:20,node1:20");
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void appendsTheMeasuredRunAsALineThatCalibrateReadsBack() throws IOException {
        // A file whose last line lacks its newline: the record must not be joined to it.
        Files.writeString(runs, "# testbed runs");
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().modelName(MODEL).start()) {
            assertThat(run(recording(server, "--max-concurrency", "2").toArray(String[]::new))).as(err.toString())
                    .isZero();
            JsonNode first = new ObjectMapper().readTree(out.toString());
            assertThat(err.toString()).isEqualTo("placement: recorded the run in " + runs + System.lineSeparator());
            assertThat(run(recording(server, "--max-concurrency", "4", "--max-model-len", "2048")
                    .toArray(String[]::new))).as(err.toString()).isZero();
            JsonNode second = new ObjectMapper().readTree(out.toString());

            List<String> lines = Files.readAllLines(runs);
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).isEqualTo("# testbed runs");
            JsonNode line = new ObjectMapper().readTree(lines.get(1));
            assertThat(line.fieldNames()).toIterable().containsExactly("cluster", "connectivity", "model",
                    "placement", "maxModelLen", "workload", "measured");
            assertThat(line.get("cluster").asText()).isEqualTo("../config/cluster.yaml");
            assertThat(line.get("connectivity").asText()).isEqualTo("../config/links.yaml");
            assertThat(line.get("model").asText()).isEqualTo(MODEL);
            assertThat(line.get("placement").asText()).isEqualTo("node0:20,node1:20");
            assertThat(line.get("maxModelLen").asInt()).isEqualTo(4096);
            for (String key : new String[] {"mean_ttft_ms", "mean_itl_ms", "mean_tpot_ms", "output_throughput"}) {
                assertThat(line.get("measured").get(key).asDouble()).as(key).isEqualTo(first.get(key).asDouble())
                        .isPositive();
            }

            List<Observation> read = ClusterFiles.readObservations(runs);
            assertThat(read).hasSize(2);
            // The loopback server counts a prompt's words as its tokens: 8 in, 5 out; the concurrency is the most
            // requests the run had in flight at once, as its result reports it.
            assertThat(read.get(0).request().workload()).isEqualTo(new Workload(8, 5,
                    first.get("max_concurrent_requests").asInt()));
            assertThat(read.get(1).request().workload()).isEqualTo(new Workload(8, 5,
                    second.get("max_concurrent_requests").asInt()));
            assertThat(read.get(1).request().workload().concurrency()).isBetween(1, 4);
            assertThat(read.get(1).request().maxModelLen()).isEqualTo(2048);
            assertThat(read.get(1).measured().itlMillis()).isEqualTo(second.get("mean_itl_ms").asDouble());
        }

        assertThat(run("calibrate", "--observations", runs.toString(), "--out", dir.resolve("c.json").toString(),
                "--format", "json")).as(err.toString()).isZero();
        assertThat(new ObjectMapper().readTree(out.toString()).get("observationCount").asInt()).isEqualTo(2);
    }

    @Test
    void theServedNameMayDifferFromTheModelRecorded() throws IOException {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().modelName("falcon").start()) {
            assertThat(run(recording(server, "--model", MODEL, "--served-model-name", "falcon")
                    .toArray(String[]::new))).as(err.toString()).isZero();
            assertThat(new ObjectMapper().readTree(out.toString()).get("model_id").asText()).isEqualTo("falcon");
            assertThat(ClusterFiles.readObservations(runs).get(0).request().model().name()).isEqualTo(MODEL);

            // Without --model the served name is all there is, and it is no model the performance model knows.
            assertThat(run(recording(server).toArray(String[]::new))).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
            assertThat(err.toString()).isEqualTo("placement: --record: the served model 'falcon' is neither a "
                    + "catalogue id nor a config.json here; give --model ID_OR_CONFIG_JSON (with --served-model-name "
                    + "NAME if the server calls it otherwise)" + System.lineSeparator());
            assertThat(Files.readAllLines(runs)).hasSize(1);
        }
    }

    @Test
    void missingOrStrayCompanionsAndABadPlacementFailBeforeAnyRequest() throws IOException {
        Path pair = Files.writeString(dir.resolve("config/pair.yaml"), "rttMillis: {node0: {node1: 1.0}}\n");
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().modelName(MODEL).start()) {
            assertBad("placement: --record: needs --placement NODE:LAYERS,...: the placement it runs, e.g. "
                    + "node0:20,node1:20", bench(server, "--record", runs.toString(), "--cluster", cluster.toString(),
                    "--connectivity", links.toString()));
            assertBad("placement: --record: needs --cluster FILE: the cluster file of the nodes the server runs on",
                    bench(server, "--record", runs.toString()));
            assertBad("placement: --cluster: only used with --record FILE (it says what the server ran, for the "
                    + "observation --record appends)", bench(server, "--cluster", cluster.toString()));
            assertBad("placement: --placement: 'node0:20,node9:20': node 'node9' is not among the cluster's nodes",
                    recording(server).stream().map(a -> a.equals("node0:20,node1:20") ? "node0:20,node9:20" : a)
                            .toList());
            assertBad("placement: --placement: 'node0:20,node2:20': no link is known from 'node0' to 'node2' in "
                    + pair, bench(server, "--record", runs.toString(), "--cluster", cluster.toString(),
                    "--connectivity", pair.toString(), "--placement", "node0:20,node2:20"));
            assertBad("placement: --placement: 'node0:20,node1:19': the layer counts [20, 19] sum to 39",
                    recording(server, "--model", MODEL).stream()
                            .map(a -> a.equals("node0:20,node1:20") ? "node0:20,node1:19" : a).toList());
            assertBad("placement: --max-model-len: must be 1 to " + MODEL + "'s context length 32768, was 0",
                    recording(server, "--model", MODEL, "--max-model-len", "0"));
            assertBad("placement: --record: '" + dir.resolve("none/obs.jsonl") + "' is not a file in an existing "
                    + "folder", bench(server, "--record", dir.resolve("none/obs.jsonl").toString(), "--cluster",
                    cluster.toString(), "--connectivity", links.toString(), "--placement", "node0:20,node1:20"));
            assertThat(server.requestsReceived()).isZero();
            assertThat(runs).doesNotExist();
        }
    }

    private void assertBad(String lineStart, List<String> args) {
        assertThat(run(args.toArray(String[]::new))).as(String.join(" ", args))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith(lineStart).hasLineCount(1);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void appendingWritesWholeLinesAfterWhatIsThere() throws IOException {
        Path file = dir.resolve("lines.jsonl");
        RecordingOptions.appendLine(file, "{\"a\": 1}");
        Files.writeString(file, Files.readString(file) + "{\"b\": 2}");
        RecordingOptions.appendLine(file, "{\"c\": 3}");

        assertThat(Files.readString(file)).isEqualTo("{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}\n");
    }
}
