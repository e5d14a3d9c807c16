package dev.placement.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Placement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QuickStartTest {

    @Test
    void solverDropsTheSlowNodeAndTheOrchestratorServesOnAllNodesOfTheFastSimulatedCluster() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Placement[] placements = QuickStart.run(Path.of("config"), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(placements[0].nodeIds()).doesNotContain("node2").hasSize(2);
        assertThat(placements[1].nodeIds()).containsExactlyInAnyOrder("node0", "node1", "node2");
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains(placements[0].layerPartition() + ": ")
                .contains("node2 was left out")
                .contains("serving at http://");
    }
}
