package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.Calibration;
import dev.placement.core.PerformanceModel;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement calibrate} on runs measured from a known truth (the performance model with other parameters),
 * and {@code plan}/{@code predict --calibration} using what it wrote.
 */
class CalibrateCommandTest {

    /** Slower GPUs, a costlier crossing and TPOT 25% above ITL: what the "measured" runs come from. */
    static final PerformanceModel TRUTH = new PerformanceModel(PerformanceModel.Parameters.defaults()
            .withMemoryBandwidthEfficiency(0.6).withComputeEfficiency(0.3).withLatencyCrossingFactor(5)
            .withStepOverheadMillis(3).withTpotPerItl(1.25));
    private static final String MODEL = "tiiuae/Falcon3-10B-Base";
    private static final String[] PLACEMENTS = {"node0:20,node1:20", "node0:13,node1:14,node2:13",
        "node0:14,node1:14,node2:12"};
    private static final Workload[] WORKLOADS = {new Workload(512, 128, 8), new Workload(1024, 64, 16)};

    @TempDir
    Path dir;
    Path cluster;
    Path slow;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws IOException {
        Path config = Files.createDirectories(dir.resolve("config"));
        cluster = Files.writeString(config.resolve("cluster.yaml"), PlanCommandTest.CLUSTER);
        Files.writeString(config.resolve("fast.yaml"), links(0.4, 0.4));
        Files.writeString(config.resolve("mid.yaml"), links(2.4, 4.4));
        slow = Files.writeString(config.resolve("slow.yaml"), links(4.4, 10.4));
        Files.createDirectories(dir.resolve("runs"));
    }

    private static String links(double rtt01, double rtt12) {
        return String.format(Locale.ROOT, "rttMillis:%n  node0: {node1: %s, node2: %s}%n  node1: {node2: %s}%n",
                rtt01, rtt01 + rtt12, rtt12);
    }

    private int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return CapturingCli.writingTo(out, err).execute(args);
    }

    /** Every placement at every RTT and workload, measured as the truth predicts it, in the documented format. */
    private Path truthRuns() throws IOException {
        List<String> lines = new ArrayList<>(List.of("# made up from a known truth"));
        ClusterSnapshot nodes = ClusterFiles.readCluster(cluster);
        for (String links : new String[] {"fast", "mid", "slow"}) {
            Path linksFile = dir.resolve("config/" + links + ".yaml");
            for (String placement : PLACEMENTS) {
                for (Workload w : WORKLOADS) {
                    PlacementRequest request = PlacementRequest.builder(ModelCatalog.builtIn().get(MODEL, "test",
                            null), nodes, ClusterFiles.readConnectivity(linksFile, nodes)).workload(w).build();
                    PipelineMetrics m = TRUTH.predict(Placement.parse(placement), request).metrics();
                    lines.add(String.format(Locale.ROOT, "{\"cluster\": \"../config/cluster.yaml\", "
                            + "\"connectivity\": \"../config/%s.yaml\", \"model\": \"%s\", \"placement\": \"%s\", "
                            + "\"workload\": {\"inputTokens\": %d, \"outputTokens\": %d, \"concurrency\": %d}, "
                            + "\"measured\": {\"mean_ttft_ms\": %s, \"mean_itl_ms\": %s, \"mean_tpot_ms\": %s, "
                            + "\"output_throughput\": %s, \"completed\": 200}}", links, MODEL, placement,
                            w.inputTokens(), w.outputTokens(), w.concurrency(), m.ttftMillis(), m.itlMillis(),
                            m.tpotMillis(), m.outputTokensPerSecond()));
                }
            }
        }
        return Files.write(dir.resolve("runs/obs.jsonl"), lines);
    }

    private JsonNode planOnSlowLinks(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", cluster.toString(), "--connectivity",
                slow.toString(), "--model", MODEL, "--format", "json"));
        args.addAll(List.of(extra));
        assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
        return new ObjectMapper().readTree(out.toString());
    }

    @Test
    void adoptsAFitThatPlanThenPredictsTheTruthsItlWith() throws IOException {
        Path runs = truthRuns();
        Path calibration = dir.resolve("calibration.json");

        assertThat(run("calibrate", "--observations", runs.toString(), "--out", calibration.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("observations  18 used from " + runs)
                .contains("prior         the built-in defaults")
                .contains("adopted       yes, the fit predicts held-out runs better")
                .containsPattern("memoryBandwidthEfficiency +0\\.8000 +0\\.(59|60)\\d* +\\[0\\.2, 1] +yes")
                .containsPattern("latencyCrossingFactor +3\\.000 +(4\\.9|5\\.0)\\d* +\\[1, 10] +yes")
                .contains("wrote " + calibration + ": --calibration " + calibration + " predicts with the fit");
        assertThat(err.toString()).isEmpty();
        Calibration written = Calibration.read(calibration);
        assertThat(written.adopted()).isTrue();
        assertThat(written.fitCvError()).isLessThan(written.priorCvError() / 5);

        JsonNode defaults = planOnSlowLinks();
        JsonNode calibrated = planOnSlowLinks("--calibration", calibration.toString());
        double truthItl = truthItl(calibrated);
        double defaultItl = defaults.get("predicted").get("itlMs").asDouble();
        double calibratedItl = calibrated.get("predicted").get("itlMs").asDouble();
        // The defaults' GPUs are faster than the truth's: their ITL is well below the truth's; the fit's is close.
        assertThat(defaultItl).isLessThan(truthItl * 0.85);
        assertThat(Math.abs(calibratedItl / truthItl - 1)).isLessThan(0.02);
    }

    /** The truth's ITL for the placement a plan chose, on the slow links, under plan's default workload. */
    private double truthItl(JsonNode plan) {
        List<String> stages = new ArrayList<>();
        plan.get("stages").forEach(s -> stages.add(s.get("node").asText() + ":" + s.get("layers").asInt()));
        ClusterSnapshot nodes = ClusterFiles.readCluster(cluster);
        PlacementRequest request = PlacementRequest.builder(ModelCatalog.builtIn().get(MODEL, "test", null), nodes,
                ClusterFiles.readConnectivity(slow, nodes)).build();
        return TRUTH.predict(Placement.parse(String.join(",", stages)), request).metrics().itlMillis();
    }

    @Test
    void predictUsesTheCalibrationAndJsonOutputListsEveryParameter() throws IOException {
        Path runs = truthRuns();
        Path calibration = dir.resolve("calibration.json");
        assertThat(run("calibrate", "--observations", runs.toString(), "--out", calibration.toString(),
                "--format", "json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.fieldNames()).toIterable().containsExactly("observations", "prior", "observationCount",
                "ignored", "adopted", "priorCvError", "fitCvError", "parameters", "summary", "out");
        assertThat(json.get("adopted").asBoolean()).isTrue();
        assertThat(json.get("observationCount").asInt()).isEqualTo(18);
        assertThat(json.get("ignored").asInt()).isZero();
        List<String> names = new ArrayList<>();
        json.get("parameters").forEach(p -> names.add(p.get("name").asText()));
        assertThat(names).containsExactlyInAnyOrder("memoryBandwidthEfficiency", "computeEfficiency",
                "latencyCrossingFactor", "stepOverheadMillis", "tpotPerItl");
        JsonNode tpot = json.get("parameters").get(names.indexOf("tpotPerItl"));
        assertThat(tpot.get("identified").asBoolean()).isTrue();
        assertThat(tpot.get("prior").asDouble()).isEqualTo(1.0);
        assertThat(tpot.get("fitted").asDouble()).isBetween(1.24, 1.26);

        String[] predict = {"predict", "--cluster", cluster.toString(), "--connectivity", slow.toString(), "--model",
            MODEL, "--placement", "node0:20,node1:20", "--format", "json", "--calibration", calibration.toString()};
        assertThat(run(predict)).as(err.toString()).isZero();
        JsonNode predicted = new ObjectMapper().readTree(out.toString()).get("predicted");
        // TPOT = ITL × tpotPerItl: the calibrated ratio reaches predict's output.
        assertThat(predicted.get("tpotMs").asDouble() / predicted.get("itlMs").asDouble()).isBetween(1.24, 1.26);
    }

    @Test
    void aPriorCalibrationIsTheStartingPointAndMayBeReplaced() throws IOException {
        Path runs = truthRuns();
        Path calibration = dir.resolve("calibration.json");
        assertThat(run("calibrate", "--observations", runs.toString(), "--out", calibration.toString())).isZero();

        assertThat(run("calibrate", "--observations", runs.toString(), "--calibration", calibration.toString(),
                "--out", calibration.toString(), "--format", "json")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("prior").asText()).isEqualTo(calibration.toString());
        // Starting from the fit, the prior already predicts the runs: its error is the small one now.
        assertThat(json.get("priorCvError").asDouble()).isLessThan(0.02);
        assertThat(Calibration.read(calibration).prior().parameters().tpotPerItl()).isBetween(1.24, 1.26);
    }

    @Test
    void aBadLineIsOneLineNamingFileLineAndField() throws IOException {
        Path runs = truthRuns();
        List<String> lines = new ArrayList<>(Files.readAllLines(runs));
        lines.set(3, lines.get(3).replaceFirst("\"mean_itl_ms\": [0-9.]+", "\"mean_itl_ms\": \"slow\""));
        Files.write(runs, lines);
        Path calibration = dir.resolve("calibration.json");

        assertThat(run("calibrate", "--observations", runs.toString(), "--out", calibration.toString()))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo("placement: " + runs + ": line 4: measured.mean_itl_ms: must be a "
                + "number >= 0 (0 = not measured), was 'slow'" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
        assertThat(calibration).doesNotExist();
    }

    @Test
    void badOptionsAndFilesGiveOneLineAndExitTwo() throws IOException {
        Path runs = truthRuns();
        Path notCalibration = Files.writeString(dir.resolve("bad.json"), "{\"format\": \"placement-calibration/9\"}");
        String[] plan = {"plan", "--cluster", cluster.toString(), "--connectivity", slow.toString(), "--model", MODEL,
            "--calibration", notCalibration.toString()};

        assertThat(run(plan)).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith("placement: " + notCalibration + ": format: ")
                .contains("placement-calibration/9").hasLineCount(1);
        assertThat(run("calibrate", "--observations", runs.toString(), "--out",
                dir.resolve("none/calibration.json").toString())).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo("placement: --out: the folder of '" + dir.resolve("none/calibration.json")
                + "' does not exist" + System.lineSeparator());
        assertThat(run("calibrate", "--observations", dir.resolve("none.jsonl").toString(), "--out",
                dir.resolve("c.json").toString())).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo("placement: " + dir.resolve("none.jsonl") + ": file not found"
                + System.lineSeparator());
        assertThat(run("calibrate", "--observations", runs.toString(), "--out", dir.resolve("c.json").toString(),
                "--format", "yaml")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo("placement: --format: unknown format 'yaml'; valid formats: table, json"
                + System.lineSeparator());
    }

    @Test
    void helpDescribesTheCommand() {
        assertThat(run("calibrate", "--help")).isZero();
        assertThat(out.toString()).contains("--observations=FILE").contains("--out=FILE")
                .contains("--calibration=PRIOR.json").contains("--format=FORMAT");
    }
}
