package dev.placement.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.CommandRunner;
import dev.placement.core.orchestrator.OrchestratorState;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RayOrchestratorExampleTest {

    @Test
    void orchestratorBuildsFromTheRayInventoryLauncherAndMetricsWithoutContactingTheCluster() {
        CommandRunner unused = (node, command, timeout) -> {
            throw new AssertionError("building must not run commands");
        };
        Path cluster = Path.of("config/cluster-3xT4.yaml").toFile().exists() ? Path.of("config/cluster-3xT4.yaml")
                : Path.of("examples/config/cluster-3xT4.yaml");

        try (PlacementOrchestrator o = RayOrchestratorExample.build(cluster, URI.create("http://127.0.0.1:1"), unused)) {
            assertThat(o.state()).isEqualTo(OrchestratorState.NOT_STARTED);
            assertThat(o.running()).isEmpty();
        }
    }
}
