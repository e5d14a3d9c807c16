package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.GpuCatalog;
import dev.placement.core.catalog.ModelCatalog;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code placement models} and {@code placement gpus}: what is built in, and what the SDK derives from a model. */
class CatalogCommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    @Test
    void modelsListsEveryBuiltInModelWithItsLayersAndParameters() {
        assertThat(run("models")).as(err.toString()).isZero();

        assertThat(out.toString().lines().skip(1)).hasSize(ModelCatalog.builtIn().ids().size());
        assertThat(out.toString()).containsPattern("(?m)^tiiuae/Falcon3-10B-Base +llama +40 +10\\.31 B +20\\.6 GB$");
    }

    @Test
    void showTakesAnUnambiguousShortNameAndPrintsCamelCaseJson() throws Exception {
        assertThat(run("models", "--show", "opt-350m", "--format", "json")).as(err.toString()).isZero();

        JsonNode m = new ObjectMapper().readTree(out.toString());
        assertThat(m.get("id").asText()).isEqualTo("facebook/opt-350m");
        assertThat(m.get("layers").asInt()).isEqualTo(24);
        // OPT-350m projects its 512-wide embedding up to the 1024-wide model: a 512-wide table and its projection.
        assertThat(m.get("embeddingBytes").asLong()).isEqualTo((50272L * 512 + 512L * 1024) * 2);
        assertThat(m.get("bytesPerWeight").asDouble()).isEqualTo(2.0);
        assertThat(m.get("parameters").asLong()).isEqualTo(m.get("activeParameters").asLong());
        assertThat(m.has("bytesPerLayer")).isTrue();
        assertThat(m.get("experts").isNull()).isTrue();
    }

    @Test
    void showInFloat32DoublesTheBytesPerWeightAndLayer() throws Exception {
        ObjectMapper json = new ObjectMapper();
        run("models", "--show", "Falcon3-10B-Base", "--format", "json");
        JsonNode half = json.readTree(out.toString());
        out.getBuffer().setLength(0);
        run("models", "--show", "tiiuae/falcon3-10b-base", "--dtype", "float32", "--format", "json");
        JsonNode full = json.readTree(out.toString());

        assertThat(full.get("bytesPerWeight").asDouble()).isEqualTo(4.0);
        assertThat(full.get("bytesPerLayer").asLong()).isEqualTo(2 * half.get("bytesPerLayer").asLong());
        assertThat(full.get("parameters").asLong()).isEqualTo(half.get("parameters").asLong());
    }

    @Test
    void badValuesAreOneLineNamingTheOption() {
        assertThat(run("models", "--show", "no-such-model")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith("placement: --show: 'no-such-model' is neither a known model")
                .hasLineCount(1);
        err.getBuffer().setLength(0);
        assertThat(run("models", "--dtype", "fp4")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith("placement: --dtype: ");
        err.getBuffer().setLength(0);
        assertThat(run("gpus", "--format", "xml")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith("placement: --format: ");
    }

    @Test
    void gpusListsEveryBuiltInGpuWithItsFiguresAndSource() throws Exception {
        assertThat(run("gpus")).as(err.toString()).isZero();
        assertThat(out.toString())
                .containsPattern("(?m)^T4 +16 GiB +320\\.0 GB/s +65\\.0 TFLOP/s +7\\.5 +pcie 15\\.75 GB/s, 20 µs "
                        + "per all-reduce$")
                .containsPattern("(?m)^Jetson-Orin-NX-16GB .* none$")
                .contains("Sources:\n  T4: NVIDIA Tesla T4 product page");
        out.getBuffer().setLength(0);

        assertThat(run("gpus", "--format", "json")).isZero();
        JsonNode list = new ObjectMapper().readTree(out.toString());
        assertThat(list).hasSize(GpuCatalog.builtIn().entries().size());
        assertThat(list.get(0).get("name").asText()).isEqualTo("T4");
        assertThat(list.get(0).get("computeCapability").asDouble()).isEqualTo(7.5);
        assertThat(list.get(0).get("source").asText()).contains("320 GB/s");
        assertThat(list.get(0).at("/intraNodeLink/kind").asText()).isEqualTo("pcie");
        assertThat(list.get(0).at("/intraNodeLink/bandwidthBytesPerSecond").asDouble()).isEqualTo(15.75e9);
    }
}
