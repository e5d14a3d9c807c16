package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PredictCommandTest {
    @TempDir
    Path dir;
    Path cluster;
    Path fast;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws IOException {
        cluster = Files.writeString(dir.resolve("cluster.yaml"), PlanCommandTest.CLUSTER);
        fast = Files.writeString(dir.resolve("fast.yaml"), PlanCommandTest.FAST);
    }

    int predict(String placement, String... extra) {
        CommandLine cl = CapturingCli.writingTo(out, err);
        String[] base = {"predict", "--cluster", cluster.toString(), "--connectivity", fast.toString(), "--model",
            "tiiuae/Falcon3-10B-Base", "--placement", placement};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return cl.execute(args);
    }

    @Test
    void predictsAPlacementWithItsStageAndLinkTerms() throws IOException {
        assertThat(predict("node0:20,node1:20", "--format", "json", "--concurrency", "4")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("partition").asText()).isEqualTo("20,20");
        assertThat(json.get("excludedNodes").get(0).asText()).isEqualTo("node2");
        assertThat(json.get("predicted").get("itlMs").asDouble()).isPositive();
        assertThat(json.get("stages").get(0).get("kvCacheTokens").asLong()).isGreaterThan(4096);
        assertThat(json.get("links")).hasSize(2);
        assertThat(json.get("links").get(1).get("returnHop").asBoolean()).isTrue();
    }

    @Test
    void tableShowsStagesAndLinks() {
        assertThat(predict("node0:13,node1:14,node2:13")).isZero();
        assertThat(out.toString()).contains("KV tokens").contains("node2→node0 (return)").contains("predicted");
    }

    @Test
    void acceptsAHuggingFaceConfigJsonAsTheModel() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "num_hidden_layers": 32,
                 "hidden_size": 4096, "intermediate_size": 11008, "num_attention_heads": 32,
                 "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096,
                 "torch_dtype": "float16", "tie_word_embeddings": false}
                """);
        CommandLine cl = CapturingCli.writingTo(out, err);
        assertThat(cl.execute("predict", "--cluster", cluster.toString(), "--connectivity", fast.toString(),
                "--model", config.toString(), "--placement", "node0:16,node1:16", "--format", "json"))
                .as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("partition").asText()).isEqualTo("16,16");
    }

    @Test
    void aPlacementThatDoesNotFitIsExitCodeThree() {
        assertThat(predict("node0:40")).isEqualTo(3);
        assertThat(err.toString()).contains("node0:40 does not fit").contains("GB");
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void aMalformedPlacementNamesTheOption() {
        assertThat(predict("node0:20,node1:19")).isEqualTo(2);
        assertThat(err.toString()).contains("--placement").contains("39");
        err.getBuffer().setLength(0);
        assertThat(predict("node0=20")).isEqualTo(2);
        assertThat(err.toString()).contains("--placement").contains("node0=20");
        err.getBuffer().setLength(0);
        assertThat(predict("node0:20,node7:20")).isEqualTo(2);
        assertThat(err.toString()).contains("node7").contains("node0, node1, node2");
    }

    @Test
    void printsThePredictedGoodputUnderSlos() throws IOException {
        assertThat(predict("node0:13,node1:14,node2:13", "--concurrency", "16", "--input-len", "1024", "--slo",
                "ttft=4000,tpot=200")).isZero();
        assertThat(out.toString()).containsPattern("goodput +[0-9.]+ requests/s within ttft=4000,tpot=200 \\(\\d+% of");
        out.getBuffer().setLength(0);
        assertThat(predict("node0:13,node1:14,node2:13", "--format", "json", "--slo", "ttft=4000")).isZero();
        var predicted = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString()).get("predicted");
        assertThat(predicted.get("withinSloShare").asDouble()).isBetween(0.0, 1.0);
        assertThat(predicted.get("slo").asText()).isEqualTo("ttft=4000");
    }
}
