package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.placement.cli.demo.DemoScenario;
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
 * The one-line contract for bad input: exit 2 and exactly one line on stderr naming the option or file, the field
 * and the value, clipped and with control characters escaped; each file the CLI reads is bounded.
 */
class InputContractTest {

    @TempDir
    Path dir;
    Path cluster;
    Path links;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws IOException {
        cluster = Files.writeString(dir.resolve("cluster.yaml"), PlanCommandTest.CLUSTER);
        links = Files.writeString(dir.resolve("links.yaml"), PlanCommandTest.FAST);
    }

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        return CapturingCli.writingTo(out, err).execute(args);
    }

    /** @return the one line printed on stderr, after asserting exit 2 and that there was exactly one */
    String badInput(String... args) {
        assertThat(run(args)).as(err.toString()).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString().lines().toList()).as(err.toString()).hasSize(1);
        return err.toString().strip();
    }

    List<String> plan(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", "--cluster", cluster.toString(), "--connectivity",
                links.toString(), "--model", "tiiuae/Falcon3-10B-Base"));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void devZeroAsEveryInputFileIsOneLineNamingIt() {
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        assertThat(badInput("plan", "--cluster", "/dev/zero", "--connectivity", links.toString(), "--model",
                "tiiuae/Falcon3-10B-Base")).isEqualTo("placement: /dev/zero: is not a regular file (a device, FIFO or "
                        + "socket); expected a file holding YAML or JSON");
        assertThat(badInput("plan", "--cluster", cluster.toString(), "--connectivity", "/dev/zero", "--model",
                "tiiuae/Falcon3-10B-Base")).contains("/dev/zero: is not a regular file");
        assertThat(badInput(plan("--calibration", "/dev/zero").toArray(String[]::new)))
                .contains("/dev/zero: is not a regular file");
        assertThat(badInput("plan", "--cluster", cluster.toString(), "--connectivity", links.toString(), "--model",
                "/dev/zero")).contains("/dev/zero");
        assertThat(badInput("demo", "--scenario", "/dev/zero", "--out", dir.toString()))
                .contains("/dev/zero: is not a regular file");
        assertThat(badInput("bench", "--url", "http://127.0.0.1:9", "--num-prompts", "1", "--prompts", "/dev/zero"))
                .contains("/dev/zero: is not a regular file");
    }

    @Test
    void aDirectoryAsTheScenarioIsNamedAsOne() {
        assertThat(badInput("demo", "--scenario", dir.toString(), "--out", dir.toString()))
                .endsWith("is a directory; expected a file holding a YAML scenario");
    }

    @Test
    void aHugeInputLenNamesTheOptionInsteadOfPrintingNaN() {
        assertThat(badInput(plan("--input-len", "2147483647").toArray(String[]::new)))
                .startsWith("placement: --input-len: must be a whole number from 1 to the model's context length ")
                .endsWith(", was 2147483647");
    }

    @Test
    void benchBoundsPromptsAndInputLengthAndSaysTheBound() {
        assertThat(badInput("bench", "--url", "http://127.0.0.1:9", "--num-prompts", "2147483647"))
                .isEqualTo("placement: --num-prompts: must be from 1 to 1000000, was 2147483647");
        assertThat(badInput("bench", "--url", "http://127.0.0.1:9", "--num-prompts", "1", "--input-len",
                "2147483647")).isEqualTo("placement: --input-len: must be from 1 to 1048576, was 2147483647");
        assertThat(badInput("bench", "--url", "http://127.0.0.1:9", "--num-prompts", "1000000", "--input-len",
                "1000")).startsWith("placement: --num-prompts: 1000000 prompts of 1000 tokens make 1000000000 tokens");
    }

    @Test
    void anOutOfRangePortIsOneClearLine() {
        assertThat(badInput("bench", "--url", "http://127.0.0.1:99999", "--num-prompts", "1"))
                .isEqualTo("placement: --url: port 99999 is out of range; a port is 1 to 65535, like "
                        + "http://10.0.0.10:8000");
    }

    @Test
    void newlinesAndEscapesInAnEchoedValueAreEscapedAndALongValueIsClipped() {
        String line = badInput(plan("--format", "x\n\u001b[31mred" + "y".repeat(100_000)).toArray(String[]::new));
        assertThat(line).startsWith("placement: --format: unknown format 'x\\n\\u001b[31mred").doesNotContain("\u001b")
                .endsWith(" more characters)");
        assertThat(line.length()).isLessThan(500);
    }

    @Test
    void anUnknownOptionIsOneLineWithTheHelpHint() {
        assertThat(badInput("plan", "--no-such-option")).startsWith("placement: ").endsWith("; see 'placement plan "
                + "--help'");
    }

    @Test
    void aSecondDocumentInTheClusterFileIsRejected() throws IOException {
        Files.writeString(cluster, PlanCommandTest.CLUSTER + "---\nnodes: []\n");
        assertThat(badInput(plan().toArray(String[]::new))).contains("cluster.yaml: a second YAML document starts at "
                + "line");
    }

    @Test
    void aConfigJsonWithAnOverflowingShapeIsRejected() throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), """
                {"model_type": "llama", "num_hidden_layers": 40, "hidden_size": 2147483646,
                 "intermediate_size": 2147483647, "num_attention_heads": 2, "num_key_value_heads": 2,
                 "vocab_size": 2147483647, "max_position_embeddings": 4096}
                """);
        assertThat(badInput("plan", "--cluster", cluster.toString(), "--connectivity", links.toString(), "--model",
                config.toString())).contains("config.json: ").contains("too large to size in bytes");
    }

    @Test
    void scenarioDurationsAreBoundedAndNameTheFileAndField() throws IOException {
        String base = DemoScenario.builtInText();
        assertThat(scenario(base.replace("stepMinutes: 60", "stepMinutes: 1000000")))
                .contains("scenario.yaml: stepMinutes: must be a number of minutes from ");
        assertThat(scenario(base.replace("stepMinutes: 60", "stepMinutes: 1e300")))
                .contains("scenario.yaml: stepMinutes: must be a number of minutes").endsWith("was 1.0E300");
        assertThat(scenario(base.replace("tickSeconds: 60", "tickSeconds: 0.0001")))
                .contains("scenario.yaml: tickSeconds: must be a number of seconds from 1 to 604800, was 1.0E-4");
        assertThat(scenario(base.replace("horizonMinutes: 60", "horizonMinutes: 1e-9")))
                .contains("scenario.yaml: horizonMinutes: ");
        assertThat(scenario(base.replace("stepMinutes: 60", "stepMinutes: 10080").replace("tickSeconds: 60",
                "tickSeconds: 1"))).contains("scenario.yaml: tickSeconds: gives ").contains("at most 100000 ticks");
    }

    private String scenario(String text) throws IOException {
        Path file = Files.writeString(dir.resolve("scenario.yaml"), text);
        return badInput("demo", "--scenario", file.toString(), "--out", dir.resolve("out").toString());
    }
}
