package dev.placement.examples;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.core.orchestrator.RequestGate;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The README's embedding example: one decision by the exact solver from the example files, then the
 * orchestrator's loop on a simulated cluster. Run it from the repository root or the {@code examples} folder.
 */
public final class QuickStart {

    private QuickStart() {
    }

    /**
     * Runs the example.
     *
     * @param args optional: the folder holding {@code cluster-3xT4.yaml} and {@code connectivity-slow-node2.yaml}
     */
    public static void main(String[] args) {
        Path config = args.length > 0 ? Path.of(args[0])
                : Files.isDirectory(Path.of("examples/config")) ? Path.of("examples/config") : Path.of("config");
        run(config, System.out);
    }

    /**
     * The example itself.
     *
     * @param config the folder of the example files
     * @param out    where to print
     * @return the solver's placement and the placement the orchestrator runs, for the test
     */
    @SuppressWarnings("try") // the permit is held for the request, not referenced
    static Placement[] run(Path config, PrintStream out) {
        ModelSpec model = ModelCatalog.builtIn().resolve("tiiuae/Falcon3-10B-Base", "example", "model");
        ClusterSnapshot cluster = ClusterFiles.readCluster(config.resolve("cluster-3xT4.yaml"));
        ConnectivityMap links = ClusterFiles.readConnectivity(config.resolve("connectivity-slow-node2.yaml"), cluster);

        PerformanceModel performance = PerformanceModel.defaults();

        // One decision: the exact solver, with a rationale in plain words.
        PlacementRequest request = PlacementRequest.builder(model, cluster, links)
                .objective(Objective.minimizeItl()).workload(new Workload(512, 128, 8)).maxModelLen(4096).build();
        PlacementDecision decision = new SolverAgent(performance).decide(request);
        out.println(decision.placement().layerPartition() + ": " + decision.rationale());

        // A loop: observe -> decide -> reconfigure, here on the simulated cluster (see RayOrchestratorExample).
        SimulatedClock clock = SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        SimulatedCluster sim = SimulatedCluster.builder(clock, cluster.nodes(), performance).defaultRttMillis(0.3)
                .build();
        try (PlacementOrchestrator orchestrator = PlacementOrchestrator.builder()
                .inventory(sim).probe(sim).launcher(sim).metricsSource(sim)
                .agent(new SolverAgent(performance)).predictor(performance).model(model).clock(clock).build()) {
            orchestrator.runOnce();                                   // first start: launches the best placement
            try (RequestGate.Permit permit = orchestrator.gate().enter(Duration.ofSeconds(30))) {
                out.println("serving at " + orchestrator.running().orElseThrow().endpoint()
                        + " with " + orchestrator.running().orElseThrow().placement());
            }
            return new Placement[] {decision.placement(), orchestrator.running().orElseThrow().placement()};
        }
    }
}
