package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen3-30B-A3B, the mixture-of-experts model edge users run, plans where its 61 GB of bf16 weights fit (four
 * RTX 4090s, six T4s) and not where they do not (two 4090s), and its FP8 checkpoint fits two 4090s.
 */
class MixtureOfExpertsPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** n nodes of one GPU, every pair 0.2 ms apart. */
    private Path[] cluster(int n, String gpu) throws IOException {
        StringBuilder nodes = new StringBuilder("nodes:\n");
        StringBuilder links = new StringBuilder("rttMillis:\n");
        for (int i = 0; i < n; i++) {
            nodes.append("  - {id: node").append(i).append(", address: 10.0.0.").append(10 + i).append(", gpu: ")
                    .append(gpu).append("}\n");
            if (i < n - 1) {
                links.append("  node").append(i).append(": {");
                for (int j = i + 1; j < n; j++) {
                    links.append(j > i + 1 ? ", " : "").append("node").append(j).append(": 0.2");
                }
                links.append("}\n");
            }
        }
        return new Path[] {Files.writeString(dir.resolve(n + gpu + "-cluster.yaml"), nodes),
            Files.writeString(dir.resolve(n + gpu + "-links.yaml"), links)};
    }

    private int plan(Path[] cluster, String model) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return CapturingCli.writingTo(out, err).execute("plan", "--cluster", cluster[0].toString(), "--connectivity",
                cluster[1].toString(), "--model", model, "--format", "json");
    }

    private JsonNode planned(Path[] cluster, String model) throws IOException {
        assertThat(plan(cluster, model)).as(err.toString()).isZero();
        return JSON.readTree(out.toString());
    }

    @Test
    void bf16PlansOnFourRtx4090sAndSixT4sButNotOnTwo4090s() throws IOException {
        JsonNode rtx = planned(cluster(4, "RTX-4090"), "Qwen3-30B-A3B");
        assertThat(rtx.get("stages").size()).isBetween(3, 4);
        assertThat(rtx.get("model").asText()).isEqualTo("Qwen/Qwen3-30B-A3B");

        JsonNode t4 = planned(cluster(6, "T4"), "Qwen/Qwen3-30B-A3B");
        assertThat(t4.get("stages").size()).isBetween(5, 6);

        assertThat(plan(cluster(2, "RTX-4090"), "Qwen3-30B-A3B")).isEqualTo(PlacementCommand.EXIT_INFEASIBLE);
    }

    @Test
    void theFp8CheckpointFitsTwoRtx4090s() throws IOException {
        JsonNode fp8 = planned(cluster(2, "RTX-4090"), fp8Config().toString());

        assertThat(fp8.get("stages")).hasSize(2);
    }

    @Test
    void aListedVariantIsChosenWithThePlacementAndTheRationaleSaysWhy() throws IOException {
        Path fp8 = fp8Config();
        Path[] two = cluster(2, "RTX-4090");
        out.getBuffer().setLength(0);
        assertThat(CapturingCli.writingTo(out, err).execute("plan", "--cluster", two[0].toString(), "--connectivity",
                two[1].toString(), "--model", "Qwen3-30B-A3B", "--variant", fp8.toString(), "--format", "json"))
                .as(err.toString()).isZero();
        JsonNode onTwo = JSON.readTree(out.toString());

        // bf16 does not fit two 4090s: the FP8 variant is the only one that places.
        assertThat(onTwo.get("model").asText()).isEqualTo("Qwen/Qwen3-30B-A3B-FP8");
        JsonNode variants = onTwo.get("variants");
        assertThat(variants).hasSize(2);
        assertThat(variants.get(0).get("model").asText()).isEqualTo("Qwen/Qwen3-30B-A3B");
        assertThat(variants.get(0).get("chosen").asBoolean()).isFalse();
        assertThat(variants.get(0).get("problem").asText()).isNotBlank();
        assertThat(variants.get(1).get("chosen").asBoolean()).isTrue();
        assertThat(onTwo.get("rationale").asText()).startsWith("variant Qwen/Qwen3-30B-A3B-FP8 (ITL ")
                .contains(" chosen over Qwen/Qwen3-30B-A3B (cannot be placed: ")
                .contains("quality differences between variants are not modelled");

        // On four, both place; FP8 reads half the bytes per decode step and wins on ITL.
        Path[] four = cluster(4, "RTX-4090");
        out.getBuffer().setLength(0);
        assertThat(CapturingCli.writingTo(out, err).execute("plan", "--cluster", four[0].toString(), "--connectivity",
                four[1].toString(), "--model", "Qwen3-30B-A3B", "--variant", fp8.toString(), "--format", "json"))
                .isZero();
        JsonNode onFour = JSON.readTree(out.toString());
        assertThat(onFour.get("variants").get(0).get("predicted").get("itlMs").asDouble())
                .isGreaterThan(onFour.get("variants").get(1).get("predicted").get("itlMs").asDouble());
        assertThat(onFour.get("model").asText()).isEqualTo("Qwen/Qwen3-30B-A3B-FP8");
    }

    @Test
    void whenNoListedVariantPlacesThePlanIsInfeasibleNamingEach() throws IOException {
        Path[] t4s = cluster(2, "T4");
        int exit = CapturingCli.writingTo(out, err).execute("plan", "--cluster", t4s[0].toString(), "--connectivity",
                t4s[1].toString(), "--model", "Qwen3-30B-A3B", "--variant", fp8Config().toString());

        assertThat(exit).isEqualTo(PlacementCommand.EXIT_INFEASIBLE);
        assertThat(err.toString()).contains("no variant can be placed (Qwen/Qwen3-30B-A3B: ")
                .contains("; Qwen/Qwen3-30B-A3B-FP8: ");
    }

    /** Qwen3-30B-A3B's config with the quantization_config of Qwen's FP8 checkpoints, named as that checkpoint. */
    private Path fp8Config() throws IOException {
        ObjectNode config;
        try (InputStream in = getClass().getResourceAsStream(
                "/dev/placement/core/catalog/models/Qwen--Qwen3-30B-A3B.json")) {
            config = (ObjectNode) JSON.readTree(in);
        }
        // 128x128-block FP8 weights, dynamic activations.
        config.putObject("quantization_config").put("activation_scheme", "dynamic").put("fmt", "e4m3")
                .put("quant_method", "fp8").putArray("weight_block_size").add(128).add(128);
        config.put("_name_or_path", "Qwen/Qwen3-30B-A3B-FP8");
        return Files.writeString(dir.resolve("config.json"), config.toString());
    }
}
