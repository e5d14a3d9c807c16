package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plan --replicas}: six T4s on two switches of three. */
class PlanReplicasTest {
    @TempDir
    Path dir;
    Path cluster;
    Path links;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws IOException {
        StringBuilder c = new StringBuilder("nodes:\n");
        StringBuilder l = new StringBuilder("rttMillis:\n");
        for (int i = 0; i < 6; i++) {
            c.append("  - {id: t4-").append(i).append(", address: 10.0.0.").append(i + 1).append(", gpu: T4}\n");
            if (i < 5) {
                l.append("  t4-").append(i).append(": {");
                for (int j = i + 1; j < 6; j++) {
                    l.append(j > i + 1 ? ", " : "").append("t4-").append(j).append(": ")
                            .append(i / 3 == j / 3 ? "0.3" : "8.0");
                }
                l.append("}\n");
            }
        }
        cluster = Files.writeString(dir.resolve("cluster.yaml"), c.toString());
        links = Files.writeString(dir.resolve("links.yaml"), l.toString());
    }

    private int plan(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", cluster.toString(), "--connectivity",
                links.toString(), "--model", "tiiuae/Falcon3-10B-Base", "--concurrency", "32"));
        args.addAll(List.of(extra));
        return CapturingCli.writingTo(out, err).execute(args.toArray(String[]::new));
    }

    @Test
    void autoPlansReplicasWithinSwitchesAndPrintsEachWithTheClusterTotals() throws IOException {
        assertThat(plan("--replicas", "auto", "--objective", "throughput", "--format", "json")).isEqualTo(0);

        JsonNode plan = new ObjectMapper().readTree(out.toString());
        JsonNode replicas = plan.get("replicas");
        assertThat(replicas.size()).isGreaterThanOrEqualTo(2);
        int requests = 0;
        double tokens = 0;
        for (JsonNode r : replicas) {
            JsonNode stages = r.get("stages");
            int sw = stages.get(0).get("node").asText().charAt(3) - '0';
            for (JsonNode s : stages) {
                assertThat((s.get("node").asText().charAt(3) - '0') / 3).isEqualTo(sw / 3);
            }
            assertThat(r.get("partition").asText()).matches("\\d+(,\\d+)*");
            requests += r.get("concurrency").asInt();
            tokens += r.get("predicted").get("outputTokensPerSecond").asDouble();
        }
        assertThat(requests).isEqualTo(32);
        assertThat(plan.get("totals").get("outputTokensPerSecond").asDouble()).isCloseTo(tokens,
                org.assertj.core.data.Offset.offset(0.01 * replicas.size()));
        assertThat(plan.get("exact").asBoolean()).isTrue();
    }

    @Test
    void aFixedCountIsPrintedAsATable() {
        assertThat(plan("--replicas", "2", "--objective", "throughput")).isEqualTo(0);

        String text = out.toString();
        assertThat(text.lines().filter(line -> line.matches("\\s+t4-\\d:\\d+.*"))).hasSize(2);
        assertThat(text).contains("cluster ").contains("every partition compared");
    }

    @Test
    void aBadCountIsOneClearLine() {
        assertThat(plan("--replicas", "many")).isEqualTo(2);
        assertThat(err.toString().strip()).contains("--replicas").contains("auto or a whole number from 1 to the "
                + "concurrency 32, was 'many'").doesNotContain("Exception").hasLineCount(1);
        assertThat(plan("--replicas", "2", "--frontier")).isEqualTo(2);
        assertThat(err.toString()).contains("it takes no --frontier");
    }
}
