package dev.placement.vllm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuSpec;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.List;

/** Small clusters and models shared by this package's tests. */
final class TestClusters {
    static final GpuSpec T4 = GpuSpec.of("T4", 16, 320, 65);
    /** Falcon3-10B-Base's shape: 40 layers. */
    static final ModelSpec FALCON = new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040, 12, 4, 256,
            131072, 32768, 2, false, true);

    private TestClusters() {
    }

    /** @return nodes node0..node{n-1} at 10.0.0.(10+i) */
    static ClusterSnapshot nodes(int n) {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(new NodeSpec("node" + i, "10.0.0." + (10 + i), T4));
        }
        return new ClusterSnapshot(nodes);
    }

    /**
     * @param cluster the cluster
     * @return a request for {@link #FALCON} on the cluster, with the default max model length (4096) and no
     *         known links
     */
    static PlacementRequest request(ClusterSnapshot cluster) {
        return PlacementRequest.builder(FALCON, cluster, ConnectivityMap.builder().build()).build();
    }

    /** @return one node whose address is 127.0.0.1, for launchers tested against a local server */
    static ClusterSnapshot loopback() {
        return new ClusterSnapshot(List.of(new NodeSpec("node0", "127.0.0.1", T4)));
    }

    /** The report launch_vllm.py prints from vLLM's engine core, as Ray prefixes an actor's lines. */
    static final String RANKS_VERIFIED = "(OpenAiServer pid=4242, ip=127.0.0.1) placement-event {\"event\": "
            + "\"ranks_verified\", \"ranks\": [{\"rank\": 0, \"node\": \"node0\", \"ip\": \"127.0.0.1\"}, "
            + "{\"rank\": 1, \"node\": \"node1\", \"ip\": \"10.0.0.11\"}]}";
}
