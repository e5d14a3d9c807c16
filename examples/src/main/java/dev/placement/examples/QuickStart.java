package dev.placement.examples;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuCatalog;
import dev.placement.api.GpuSpec;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.RequestGate;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** One decision by the exact solver, then the orchestrator's loop on a simulated cluster. */
public final class QuickStart {
    private QuickStart() {
    }

    /**
     * Runs the example; reads no file and needs no GPU.
     *
     * @param args ignored
     */
    @SuppressWarnings("try") // the permit is held while the request is served, not referenced
    public static void main(String[] args) {
        ModelSpec model = ModelCatalog.builtIn().get("tiiuae/Falcon3-10B-Base");
        // The research testbed: three T4 nodes, node2 behind slow links (RTT in ms, bandwidth in bytes/s).
        // ClusterFiles.readCluster and readConnectivity read the same from the CLI's YAML files.
        GpuSpec t4 = GpuCatalog.builtIn().get("T4");
        ClusterSnapshot cluster = new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.10", t4),
                new NodeSpec("node1", "10.0.0.11", t4), new NodeSpec("node2", "10.0.0.12", t4)));
        ConnectivityMap links = ConnectivityMap.builder().link("node0", "node1", 2.2)
                .link("node0", "node2", 12.2, 300e6 / 8).link("node1", "node2", 10.2, 300e6 / 8).build();

        PerformanceModel performance = PerformanceModel.defaults();

        // One decision: the exact solver, with a rationale in plain words.
        PlacementRequest request = PlacementRequest.builder(model, cluster, links)
                .objective(Objective.minimizeItl()).workload(new Workload(512, 128, 8)).maxModelLen(4096).build();
        PlacementDecision decision = new SolverAgent(performance).decide(request);
        System.out.println("solver: " + decision.placement() + ": " + decision.rationale());

        // A loop: observe -> decide -> reconfigure, on a simulated cluster with fast links (RayOrchestratorExample
        // runs it on Ray). Virtual time: the minute-long launch takes no time.
        SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        SimulatedCluster sim = SimulatedCluster.builder(clock, cluster.nodes(), performance).defaultRttMillis(0.3)
                .build();
        try (PlacementOrchestrator orchestrator = PlacementOrchestrator.builder()
                .inventory(sim).probe(sim).launcher(sim).metricsSource(sim)
                .agent(new SolverAgent(performance)).predictor(performance).model(model).clock(clock).build()) {
            orchestrator.runOnce();                                   // first start: launches the best placement
            try (RequestGate.Permit permit = orchestrator.gate().enter(Duration.ofSeconds(30))) {
                // Send the request to this endpoint while holding the permit: a reconfiguration waits for it.
                System.out.println("orchestrator: " + orchestrator.running().orElseThrow().placement()
                        + " serving at " + orchestrator.running().orElseThrow().endpoint());
            }
        }
    }
}
