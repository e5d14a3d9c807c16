package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.AgentProposal;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import dev.placement.api.GpuCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementOutputTest {
    private final ModelSpec falcon = new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040, 12, 4, 256,
            131072, 32768, 2, false, true);
    private final PlacementRequest request = PlacementRequest.builder(falcon,
            new ClusterSnapshot(List.of(new NodeSpec("node0", "a", GpuCatalog.builtIn().get("T4", "t", "gpu")),
                    new NodeSpec("node1", "b", GpuCatalog.builtIn().get("T4", "t", "gpu")))),
            ConnectivityMap.builder().link("node0", "node1", 0.5).build()).maxModelLen(4096).build();
    private final Placement placement = Placement.parse("node0:20,node1:20");
    private final Prediction prediction = PerformanceModel.defaults().predict(placement, request);

    @Test
    void addsTheLlmObjectWhenAnAdvisoryAgentProposed() {
        AgentProposal proposal = new AgentProposal("openai", "gpt-5-mini", Placement.parse("node0:13,node1:27"), false,
                "verify: rejected, 12% worse than the solver's best");
        PlacementDecision d = new PlacementDecision(placement, "openai", "the solver's placement",
                prediction.metrics(), proposal);
        Map<String, Object> json = PlacementOutput.planJson(d, Objective.minimizeItl(), falcon.name(), prediction, List.of(), 3.0,
                null);
        assertThat(json).containsKey("llm");
        @SuppressWarnings("unchecked")
        Map<String, Object> llm = (Map<String, Object>) json.get("llm");
        assertThat(llm).containsEntry("provider", "openai").containsEntry("proposal", "node0:13,node1:27")
                .containsEntry("accepted", false);
        StringWriter table = new StringWriter();
        PlacementOutput.printPlanTable(new PrintWriter(table), json);
        assertThat(table.toString()).contains("openai (gpt-5-mini) proposed node0:13,node1:27: rejected");
    }

    @Test
    void leavesTheLlmObjectOutWithoutAProposal() {
        PlacementDecision d = new PlacementDecision(placement, "solver", "best", prediction.metrics(), null);
        Map<String, Object> json = PlacementOutput.planJson(d, Objective.minimizeItl(), falcon.name(), prediction, List.of(), 1.0,
                true);
        assertThat(json).doesNotContainKey("llm");
        assertThat(json.keySet()).containsExactly("agent", "objective", "model", "placement", "stages", "partition",
                "tensorParallelSize", "excludedNodes", "predicted", "rationale", "solveMillis", "proven");
        assertThat(json).containsEntry("proven", true);
    }
}
