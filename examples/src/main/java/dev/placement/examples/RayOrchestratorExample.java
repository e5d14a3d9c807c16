package dev.placement.examples;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.ModelSpec;
import dev.placement.api.Objective;
import dev.placement.core.PerformanceModel;
import dev.placement.core.SolverAgent;
import dev.placement.core.catalog.ModelCatalog;
import dev.placement.core.input.ClusterFiles;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.probe.PairwiseProbe;
import dev.placement.vllm.RayClusterInventory;
import dev.placement.vllm.RayJobsLauncher;
import dev.placement.vllm.SshCommandRunner;
import dev.placement.vllm.VllmMetricsSource;
import dev.placement.vllm.VllmOptions;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps Falcon3-10B placed well on a real Ray cluster of edge GPUs: the Ray dashboard says which nodes are
 * alive (merged with the cluster file for GPU models), node-to-node pings over SSH measure the links, the
 * solver picks the placement, vLLM is (re)launched through the Ray Jobs API with rank i pinned to node i, and
 * vLLM's Prometheus histograms report what the pipeline really achieves.
 *
 * <pre>{@code
 * java -cp ... dev.placement.examples.RayOrchestratorExample \
 *     examples/config/cluster-3xT4.yaml http://10.0.0.10:8265 ubuntu ~/.ssh/id_ed25519
 * }</pre>
 */
public final class RayOrchestratorExample {

    private RayOrchestratorExample() {
    }

    /**
     * Builds the orchestrator (not started) from the vLLM runtime's parts.
     *
     * @param clusterFile the cluster file: node ids, addresses, GPU models
     * @param dashboard   the Ray dashboard, for example {@code http://10.0.0.10:8265}
     * @param nodes       runs the pairwise pings on the nodes (an {@link SshCommandRunner})
     * @return the orchestrator
     */
    public static PlacementOrchestrator build(Path clusterFile, URI dashboard, CommandRunner nodes) {
        ClusterSnapshot declared = ClusterFiles.readCluster(clusterFile);
        ModelSpec model = ModelCatalog.builtIn().get("tiiuae/Falcon3-10B-Base");
        VllmOptions vllm = VllmOptions.builder().dtype("half").servedModelName("falcon3-10b").build();
        return PlacementOrchestrator.builder()
                .inventory(RayClusterInventory.builder().dashboard(dashboard).declaredCluster(declared).build())
                .probe(PairwiseProbe.builder(nodes).build())
                .agent(new SolverAgent(PerformanceModel.defaults()))
                .launcher(RayJobsLauncher.builder().dashboard(dashboard).options(vllm).build())
                .metricsSource(VllmMetricsSource.builder().build())
                .model(model)
                .maxModelLen(4096)              // planned with and launched with: --max-model-len 4096
                .objective(Objective.minimizeItl())
                .build();
    }

    /**
     * Runs until interrupted (Ctrl-C), then stops the pipeline.
     *
     * @param args cluster file, dashboard URL, SSH user, SSH private key (known hosts from ~/.ssh/known_hosts)
     * @throws InterruptedException if interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: RayOrchestratorExample CLUSTER_FILE DASHBOARD_URL SSH_USER SSH_KEY");
            System.exit(2);
        }
        CountDownLatch shutdown = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::countDown));
        try (SshCommandRunner ssh = SshCommandRunner.builder().user(args[2]).privateKey(Path.of(args[3]))
                .knownHosts(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts")).build();
                PlacementOrchestrator orchestrator = build(Path.of(args[0]), URI.create(args[1]), ssh)) {
            orchestrator.start();
            shutdown.await();
        }
    }
}
