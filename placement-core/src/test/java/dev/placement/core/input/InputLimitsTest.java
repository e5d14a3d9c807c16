package dev.placement.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.placement.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input files are refused with one line naming the file and the limit, before they are read whole. */
class InputLimitsTest {

    private static final String NODE = "nodes:\n  - {id: node0, address: 10.0.0.10, gpu: T4";

    private static String message(Runnable read) {
        try {
            read.run();
        } catch (InvalidInputException e) {
            return e.getMessage();
        }
        throw new AssertionError("no InvalidInputException");
    }

    @Test
    void aConnectivityFileOfMoreThanThreeMebibytesWithinTheFileLimitIsRead(@TempDir Path dir) throws Exception {
        // SnakeYAML's own default refused 3 MiB with a "syntax error"; a 512-node site's links take about that.
        StringBuilder yaml = new StringBuilder("rttMillis:\n");
        int nodes = 0;
        while (yaml.length() < (7 << 19)) {
            yaml.append("  node").append(nodes).append(": {");
            for (int j = 0; j < 40; j++) {
                yaml.append(j == 0 ? "" : ", ").append("peer").append(j).append(": 0.").append(10 + j);
            }
            yaml.append("}\n");
            nodes++;
        }
        Path file = Files.writeString(dir.resolve("links.yaml"), yaml);
        assertThat(Files.size(file)).isGreaterThan(3L << 20).isLessThan(ClusterFiles.MAX_FILE_BYTES);

        assertThat(ClusterFiles.readTree(file).get("rttMillis").size()).isEqualTo(nodes);
    }

    @Test
    void aDeviceIsRefusedBeforeItIsRead() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        assertThat(message(() -> ClusterFiles.readCluster(zero)))
                .isEqualTo("/dev/zero: is not a regular file (a device, FIFO or socket); expected a file holding "
                        + "YAML or JSON");
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("cluster.yaml");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor() == 0 && Files.exists(fifo));
        assertThat(message(() -> ClusterFiles.readCluster(fifo))).contains("is not a regular file");
    }

    @Test
    void aDirectoryIsNamedAsOne(@TempDir Path dir) {
        assertThat(message(() -> ClusterFiles.readCluster(dir))).endsWith(": is a directory; expected a file "
                + "holding YAML or JSON");
    }

    @Test
    void invalidUtf8IsReportedAsSuchWithTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.write(file, new byte[] {'n', 'o', 'd', 'e', 's', ':', ' ', (byte) 0xC3, (byte) 0x28});
        assertThat(message(() -> ClusterFiles.readCluster(file)))
                .endsWith("cluster.yaml: is not UTF-8 text; expected YAML or JSON")
                .doesNotContain("Input length");
    }

    @Test
    void aVeryLongLineIsRefusedBeforeTheYamlParserScansIt() {
        String text = "nodes: [" + "x".repeat(5 << 20) + "]";
        assertThat(message(() -> ClusterFiles.parseCluster(text, "big.yaml")))
                .isEqualTo("big.yaml: line 1 is longer than 65536 characters; no field of a Placement input is that "
                        + "long");
    }

    @Test
    void aControlCharacterIsNamedWithItsLineAndColumn() {
        // SnakeYAML alone says "special characters are not allowed", at line 1, column 1, whatever the position.
        assertThat(message(() -> ClusterFiles.parseCluster(NODE + "}\n  - {id: node1\u001b[31m}", "c.yaml")))
                .isEqualTo("c.yaml: line 3, column 15: character U+001B is not allowed; YAML and JSON text holds no "
                        + "control character but tab and line breaks");
        assertThat(message(() -> ClusterFiles.parseCluster("nodes: [\u0000]", "c.json")))
                .startsWith("c.json: line 1, column 9: character U+0000 is not allowed");
        assertThat(message(() -> ClusterFiles.parseCluster("nodes: [\ud800]", "c.yaml")))
                .startsWith("c.yaml: line 1, column 9: character U+D800 is not allowed");
    }

    @Test
    void aSyntaxErrorIsOneLineWithLineAndColumn() {
        String msg = message(() -> ClusterFiles.parseCluster("nodes:\n  - id: [a\n  b: }", "c.yaml"));
        assertThat(msg).startsWith("c.yaml: syntax error at line ").doesNotContain("\n").doesNotContain("^");
    }

    @Test
    void aSecondYamlDocumentIsRejected() {
        String text = NODE + "}\n---\nnodes: []\n";
        assertThat(message(() -> ClusterFiles.parseCluster(text, "c.yaml")))
                .startsWith("c.yaml: a second YAML document starts at line 4");
    }

    @Test
    void deepNestingNamesNoParserInternals() {
        String text = "a: " + "[".repeat(2000) + "]".repeat(2000);
        String msg = message(() -> ClusterFiles.parseCluster(text, "deep.yaml"));
        assertThat(msg).startsWith("deep.yaml: ").doesNotContain("StreamReadConstraints").doesNotContain("\n");
    }

    @Test
    void aGpuCountBeyondAnIntIsRejectedNotWrapped() {
        String text = NODE + ", gpuCount: 4294967297}\n";
        assertThat(message(() -> ClusterFiles.parseCluster(text, "c.yaml")))
                .isEqualTo("c.yaml: nodes[0].gpuCount: must be a whole number from 1 to 1024, was 4294967297");
    }

    @Test
    void anOverflowingGpuFigureNamesTheFileAndField() {
        String text = "nodes:\n  - {id: j, address: j, gpu: {name: X, memoryGiB: 1e300, bandwidthGBps: 1, "
                + "fp16Tflops: 1}}\n";
        assertThat(message(() -> ClusterFiles.parseCluster(text, "c.yaml")))
                .isEqualTo("c.yaml: nodes[0].gpu.memoryGiB: must be at most 1000000, was 1.0E300");
    }

    @Test
    void aSyntaxErrorNamesWhatWasWrittenNotTheParsersEvents() {
        String msg = message(() -> ClusterFiles.parseCluster("nodes:\n  - {[a]: 1}\n", "c.yaml"));
        assertThat(msg).startsWith("c.yaml: syntax error at line 2").contains("got a list").doesNotContain("snakeyaml");
    }

    @Test
    void aLongValueIsEchoedClipped() {
        String msg = message(() -> ClusterFiles.parseCluster("nodes: '" + "v".repeat(10_000) + "'\n", "c.yaml"));
        assertThat(msg).isEqualTo("c.yaml: nodes: must be a non-empty list, found '" + "v".repeat(80)
                + "... (9920 more)'");
    }
}
