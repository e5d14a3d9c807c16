package dev.placement.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.IntraNodeLink;
import dev.placement.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFilesTest {

    private static final String CLUSTER = """
            gpuMemoryUtilization: 0.85
            nodes:
              - id: node0
                address: 10.0.0.10
                gpu: T4
              - id: node1
                address: 10.0.0.11
                gpu: t4
                labels: {zone: lab}
              - id: jetson1
                address: jetson1.local
                gpu: {name: Orin-NX-16, memoryGiB: 16, bandwidthGBps: 102.4, fp16Tflops: 25}
                gpuCount: 2
            """;

    private static ClusterSnapshot cluster() {
        return ClusterFiles.parseCluster(CLUSTER, "cluster.yaml");
    }

    @Test
    void readsCatalogueAndCustomGpusFromYaml(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, CLUSTER);
        ClusterSnapshot c = ClusterFiles.readCluster(file);
        assertThat(c.gpuMemoryUtilization()).isEqualTo(0.85);
        assertThat(c.nodeIds()).containsExactly("node0", "node1", "jetson1");
        assertThat(c.node("node1").gpu().name()).isEqualTo("T4");
        assertThat(c.node("node0").gpu().memoryBytes()).isEqualTo(16L << 30);
        assertThat(c.node("node1").labels()).containsEntry("zone", "lab");
        assertThat(c.node("jetson1").gpu().memoryBandwidthBytesPerSecond()).isEqualTo(102.4e9);
        assertThat(c.node("jetson1").gpuCount()).isEqualTo(2);
    }

    @Test
    void aNodesLinkBetweenItsGpusReplacesTheCataloguesAndADescribedGpuMayGiveOne() {
        ClusterSnapshot c = ClusterFiles.parseCluster("""
                nodes:
                  - {id: a, address: 10.0.0.1, gpu: RTX-A6000, gpuCount: 2,
                     intraNodeLink: {kind: NVLink, bandwidthGBps: 56.25}}
                  - {id: b, address: 10.0.0.2, gpu: RTX-A6000, gpuCount: 2}
                  - id: c
                    address: 10.0.0.3
                    gpu: {name: X, memoryGiB: 24, bandwidthGBps: 900, fp16Tflops: 80, computeCapability: 8.6,
                          intraNodeLink: {kind: pcie, bandwidthGBps: 15.75, allReduceMicros: 35}}
                    gpuCount: 4
                """, "cluster.yaml");
        assertThat(c.node("a").gpu().intraNodeLink()).isEqualTo(IntraNodeLink.nvlink(56.25));
        assertThat(c.node("b").gpu().intraNodeLink()).isEqualTo(IntraNodeLink.pcie(31.5));
        assertThat(c.node("c").gpu().intraNodeLink())
                .isEqualTo(new IntraNodeLink(IntraNodeLink.Kind.PCIE, 15.75e9, 35));
        assertThat(c.node("c").gpu().computeCapability()).isEqualTo(8.6);
    }

    @Test
    void aBadLinkNamesItsField() {
        assertThatThrownBy(() -> ClusterFiles.parseCluster("nodes: [{id: a, address: h, gpu: T4, intraNodeLink: "
                + "{kind: infiniband, bandwidthGBps: 25}}]", "cluster.yaml"))
                .hasMessage("cluster.yaml: nodes[0].intraNodeLink.kind: must be nvlink or pcie, was 'infiniband'");
        assertThatThrownBy(() -> ClusterFiles.parseCluster("nodes: [{id: a, address: h, gpu: T4, intraNodeLink: "
                + "{kind: pcie}}]", "cluster.yaml"))
                .hasMessage("cluster.yaml: nodes[0].intraNodeLink.bandwidthGBps: missing");
        assertThatThrownBy(() -> ClusterFiles.parseCluster("nodes: [{id: a, address: h, gpu: T4, intraNodeLink: "
                + "{kind: pcie, bandwidthGBps: 16, allReduceMicros: -1}}]", "cluster.yaml"))
                .hasMessageStartingWith("cluster.yaml: nodes[0].intraNodeLink.allReduceMicros: must be 0 to");
        assertThatThrownBy(() -> ClusterFiles.parseCluster("nodes: [{id: a, address: h, gpu: {name: X, memoryGiB: "
                + "8, bandwidthGBps: 100, fp16Tflops: 10, computeCapability: 0.5}}]", "cluster.yaml"))
                .hasMessageStartingWith("cluster.yaml: nodes[0].gpu.computeCapability: must be a CUDA compute");
    }

    @Test
    void readsJsonAndDefaultsTheUtilisation() {
        ClusterSnapshot c = ClusterFiles.parseCluster(
                "{\"nodes\": [{\"id\": \"a\", \"address\": \"127.0.0.1\", \"gpu\": \"A30\"}]}", "cluster.json");
        assertThat(c.gpuMemoryUtilization()).isEqualTo(0.9);
        assertThat(c.node("a").gpu().name()).isEqualTo("A30");
    }

    @Test
    void syntaxErrorNamesFileLineAndColumn() {
        assertThatThrownBy(() -> ClusterFiles.parseCluster("nodes:\n  - id: [node0\n", "cluster.yaml"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cluster.yaml: syntax error at line ")
                .hasMessageNotContaining("com.fasterxml");
    }

    @Test
    void unknownGpuNamesFieldValueAndKnownGpus() {
        String text = CLUSTER.replace("gpu: t4", "gpu: T5");
        assertThatThrownBy(() -> ClusterFiles.parseCluster(text, "cluster.yaml"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("cluster.yaml: nodes[1].gpu: unknown GPU 'T5'")
                .hasMessageContaining("A100-80GB");
    }

    @Test
    void duplicateIdNamesBothEntries() {
        String text = CLUSTER.replace("id: node1", "id: node0");
        assertThatThrownBy(() -> ClusterFiles.parseCluster(text, "cluster.yaml"))
                .hasMessageContaining("cluster.yaml: nodes[1].id: duplicate node id 'node0' (also nodes[0])");
    }

    @Test
    void invalidNodeIdIsRejectedWithTheAllowedCharacters() {
        String text = CLUSTER.replace("id: node1", "id: 'node1; rm -rf /'");
        assertThatThrownBy(() -> ClusterFiles.parseCluster(text, "cluster.yaml"))
                .hasMessageContaining("cluster.yaml: nodes[1]: ")
                .hasMessageContaining("A-Z a-z 0-9 . _ -");
    }

    @Test
    void missingAndMistypedFieldsAreNamed() {
        assertThatThrownBy(() -> ClusterFiles.parseCluster("nodes:\n  - id: a\n    gpu: T4\n", "c.yaml"))
                .hasMessage("c.yaml: nodes[0].address: missing");
        assertThatThrownBy(() -> ClusterFiles.parseCluster(
                "nodes:\n  - id: a\n    adress: x\n    gpu: T4\n", "c.yaml"))
                .hasMessageContaining("c.yaml: nodes[0].adress: unknown field; valid fields here: address,");
        assertThatThrownBy(() -> ClusterFiles.parseCluster("gpuMemoryUtilization: 1.5\nnodes: []\n", "c.yaml"))
                .hasMessage("c.yaml: gpuMemoryUtilization: must be in (0, 1], was 1.5");
        assertThatThrownBy(() -> ClusterFiles.parseCluster(
                "nodes:\n  - {id: a, address: x, gpu: {name: g, memoryGiB: -1, bandwidthGBps: 1, fp16Tflops: 1}}\n",
                "c.yaml"))
                .hasMessage("c.yaml: nodes[0].gpu.memoryGiB: must be positive, was -1");
    }

    @Test
    void missingFileIsReportedByPath(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> ClusterFiles.readCluster(missing))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(missing + ": file not found");
    }

    @Test
    void pairGivenOnceHoldsBothWaysAndAsymmetricPairsAreKept() {
        ConnectivityMap m = ClusterFiles.parseConnectivity("""
                rttMillis:
                  node0: {node1: 2.2, jetson1: 5.1}
                  node1: {node0: 3.0}
                bandwidthMbps:
                  node0: {node1: 940}
                """, "links.yaml", cluster());
        assertThat(m.requireRttMillis("node0", "node1")).isEqualTo(2.2);
        assertThat(m.requireRttMillis("node1", "node0")).isEqualTo(3.0);
        assertThat(m.requireRttMillis("jetson1", "node0")).isEqualTo(5.1);
        assertThat(m.hasLink("node1", "jetson1")).isFalse();
        assertThat(m.bandwidthBytesPerSecond("node1", "node0").getAsDouble()).isEqualTo(940e6 / 8);
        assertThat(m.bandwidthBytesPerSecond("node0", "jetson1").getAsDouble()).isEqualTo(1000e6 / 8);
    }

    @Test
    void negativeRttIsRejectedWithItsPair() {
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity("rttMillis:\n  node0: {node1: -2}\n",
                "links.yaml", cluster()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("links.yaml: rttMillis.node0.node1: must be >= 0, was -2");
    }

    @Test
    void pairNamingAnUnknownNodeIsRejected() {
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity("rttMillis:\n  node0: {node9: 2}\n",
                "links.yaml", cluster()))
                .hasMessage("links.yaml: rttMillis.node0.node9: unknown node 'node9'; the cluster has node0, node1, "
                        + "jetson1");
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity("rttMillis:\n  nodeX: {node1: 2}\n",
                "links.yaml", cluster()))
                .hasMessageStartingWith("links.yaml: rttMillis.nodeX: unknown node 'nodeX'");
    }

    @Test
    void nonNumericAndZeroBandwidthAreRejected() {
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity("rttMillis:\n  node0: {node1: fast}\n",
                "links.yaml", cluster()))
                .hasMessage("links.yaml: rttMillis.node0.node1: must be a number, found 'fast'");
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity(
                "rttMillis:\n  node0: {node1: 1}\nbandwidthMbps:\n  node0: {node1: 0}\n", "links.yaml", cluster()))
                .hasMessage("links.yaml: bandwidthMbps.node0.node1: must be positive, was 0");
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity("bandwidthMbps: {}\n", "links.yaml", cluster()))
                .hasMessageStartingWith("links.yaml: rttMillis: missing");
    }

    @Test
    void duplicateKeysAreASyntaxError() {
        assertThatThrownBy(() -> ClusterFiles.parseConnectivity(
                "rttMillis:\n  node0: {node1: 1, node1: 2}\n", "links.yaml", cluster()))
                .hasMessageContaining("links.yaml: syntax error")
                .hasMessageContaining("node1");
    }

    @Test
    void readsAClusterFileOnlyUpToABoundAndOnlyAsText(@TempDir Path dir) throws Exception {
        Path huge = dir.resolve("huge.yaml");
        Files.writeString(huge, "nodes: []\n#" + "x".repeat(5 << 20));
        Path binary = dir.resolve("binary.yaml");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});

        assertThatThrownBy(() -> ClusterFiles.readCluster(huge)).isInstanceOf(InvalidInputException.class)
                .hasMessage(huge + ": larger than 4194304 bytes; a cluster or connectivity file is a few KB");
        assertThatThrownBy(() -> ClusterFiles.readCluster(binary)).isInstanceOf(InvalidInputException.class)
                .hasMessage(binary + ": is not UTF-8 text; expected YAML or JSON");
    }

    @Test
    void readsClusterAndConnectivitySectionsOfAFileThatHoldsOtherFields(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("scenario.yaml"), """
                model: tiiuae/Falcon3-10B-Base
                cluster:
                  nodes:
                    - {id: node0, address: 10.0.0.10, gpu: T4}
                    - {id: node1, address: 10.0.0.11, gpu: L4}
                connectivity:
                  rttMillis: {node0: {node1: 2.5}}
                """);
        JsonNode root = ClusterFiles.readTree(file);
        ClusterSnapshot c = ClusterFiles.parseClusterSection(root.get("cluster"), "scenario.yaml", "cluster");
        ConnectivityMap m = ClusterFiles.parseConnectivitySection(root.get("connectivity"), "scenario.yaml",
                "connectivity", c);
        assertThat(c.node("node1").gpu().name()).isEqualTo("L4");
        assertThat(m.requireRttMillis("node1", "node0")).isEqualTo(2.5);
        assertThat(root.get("model").asText()).isEqualTo("tiiuae/Falcon3-10B-Base");
    }

    @Test
    void aSectionsProblemsNameTheFieldWithinTheSection() {
        JsonNode root = ClusterFiles.readYaml(CLUSTER.replace("gpu: t4", "gpu: T5").indent(2)
                .replaceFirst("^", "cluster:\n") + "links: 3\n", "s.yaml");
        assertThatThrownBy(() -> ClusterFiles.parseClusterSection(root.get("cluster"), "s.yaml", "cluster"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("s.yaml: cluster.nodes[1].gpu: unknown GPU 'T5'")
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("cluster.nodes[1].gpu"));
        assertThatThrownBy(() -> ClusterFiles.parseConnectivitySection(root.get("links"), "s.yaml", "links",
                cluster())).hasMessage("s.yaml: links: must be a mapping, found 3; give it as in a connectivity file");
        assertThatThrownBy(() -> ClusterFiles.parseConnectivitySection(root.get("connectivity"), "s.yaml",
                "connectivity", cluster())).hasMessage("s.yaml: connectivity: missing; give it as in a connectivity "
                        + "file");
        assertThatThrownBy(() -> ClusterFiles.parseConnectivitySection(ClusterFiles.readYaml(
                "rttMillis: {node0: {node9: 1}}", "s.yaml"), "s.yaml", "connectivity", cluster()))
                .hasMessageStartingWith("s.yaml: connectivity.rttMillis.node0.node9: unknown node 'node9'");
    }
}
