package dev.placement.vllm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The State API node listing, in its {result, msg, data: {result: {total, ..., result: [NodeState]}}} envelope. */
class RayClusterInventoryTest {

    private WireMockServer wm;
    private final GpuSpec orin = GpuSpec.of("Orin-NX-16", 16, 102.4, 25);
    private final ClusterSnapshot declared = new ClusterSnapshot(List.of(
            new NodeSpec("node0", "10.0.0.10", TestClusters.T4, 1, Map.of("zone", "lab")),
            new NodeSpec("jetson1", "jetson1.local", orin),
            new NodeSpec("node2", "10.0.0.12", TestClusters.T4)), 0.85);

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private static String node(String id, String ip, String name, String state, String resources) {
        return "{\"node_id\": \"" + id + "\", \"node_ip\": \"" + ip + "\", \"is_head_node\": false, \"state\": \""
                + state + "\", \"state_message\": null, \"node_name\": \"" + name + "\", \"resources_total\": "
                + resources + ", \"labels\": {\"ray.io/node_id\": \"" + id + "\"}, \"start_time_ms\": 1764244800000, "
                + "\"end_time_ms\": 0}";
    }

    private void listing(String... nodes) {
        wm.stubFor(get(urlPathEqualTo("/api/v0/nodes")).willReturn(okJson("{\"result\": true, \"msg\": \"\", "
                + "\"data\": {\"result\": {\"total\": " + nodes.length + ", \"num_after_truncation\": " + nodes.length
                + ", \"num_filtered\": " + nodes.length + ", \"result\": [" + String.join(", ", nodes)
                + "], \"partial_failure_warning\": \"\", \"warnings\": null}}}")));
    }

    private RayClusterInventory inventory() {
        return RayClusterInventory.builder().dashboard(URI.create(wm.baseUrl())).declaredCluster(declared).build();
    }

    @Test
    void mergesAliveGpuNodesWithTheClusterFileAndDropsDeadAndCpuOnlyNodes() {
        listing(node("aa01", "10.0.0.1", "10.0.0.1", "ALIVE", "{\"CPU\": 4.0, \"memory\": 8e9, \"node:10.0.0.1\": 1.0, "
                        + "\"node:__internal_head__\": 1.0}"),
                node("aa10", "10.0.0.10", "10.0.0.10", "ALIVE", "{\"CPU\": 8.0, \"GPU\": 2.0, \"node:10.0.0.10\": 1.0, "
                        + "\"accelerator_type:T4\": 1.0}"),
                node("aa11", "10.0.0.11", "jetson1.local", "ALIVE",
                        "{\"CPU\": 6.0, \"GPU\": 1.0, \"node:10.0.0.11\": 1.0}"),
                node("aa12", "10.0.0.12", "10.0.0.12", "DEAD", "{\"CPU\": 8.0, \"GPU\": 1.0}"),
                node("aa13", "10.0.0.13", "10.0.0.13", "ALIVE",
                        "{\"CPU\": 8.0, \"GPU\": 1.0, \"accelerator_type:A10\": 1.0}"));

        ClusterSnapshot snap = inventory().snapshot();

        assertThat(snap.nodeIds()).containsExactly("node0", "jetson1", "ray-10.0.0.13");
        assertThat(snap.node("node0").gpuCount()).isEqualTo(2);
        assertThat(snap.node("node0").labels()).containsEntry("zone", "lab");
        assertThat(snap.node("jetson1").gpu().name()).isEqualTo("Orin-NX-16");
        assertThat(snap.node("ray-10.0.0.13").gpu().name()).isEqualTo("A10");
        assertThat(snap.node("ray-10.0.0.13").address()).isEqualTo("10.0.0.13");
        assertThat(snap.gpuMemoryUtilization()).isEqualTo(0.85);
    }

    @Test
    void gpuNodeThatMatchesNothingIsAClearError() {
        listing(node("aa10", "10.0.0.10", "10.0.0.10", "ALIVE", "{\"GPU\": 1.0}"),
                node("aa14", "10.0.0.14", "edge14", "ALIVE", "{\"GPU\": 1.0, \"accelerator_type:V100-SXM9\": 1.0}"),
                node("aa15", "10.0.0.15", "10.0.0.15", "ALIVE", "{\"GPU\": 1.0}"));

        assertThatThrownBy(() -> inventory().snapshot()).isInstanceOf(PlacementException.class)
                .hasMessageContaining("10.0.0.14").hasMessageContaining("V100-SXM9")
                .hasMessageContaining("10.0.0.15").hasMessageContaining("no accelerator type")
                .hasMessageContaining("jetson1.local");
    }

    @Test
    void failedListingReportsRaysMessage() {
        wm.stubFor(get(urlPathEqualTo("/api/v0/nodes")).willReturn(okJson(
                "{\"result\": false, \"msg\": \"Failed to query the GCS\", \"data\": {}}")));
        assertThatThrownBy(() -> inventory().snapshot()).hasMessageContaining("Failed to query the GCS");

        wm.stubFor(get(urlPathEqualTo("/api/v0/nodes")).willReturn(aResponse().withStatus(500).withBody("boom")));
        assertThatThrownBy(() -> inventory().snapshot()).hasMessageContaining("HTTP 500");
    }
}
