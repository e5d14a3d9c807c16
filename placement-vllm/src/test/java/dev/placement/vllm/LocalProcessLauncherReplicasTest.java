package dev.placement.vllm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Replicas from one {@link LocalProcessLauncher}: real python3 stand-ins for vLLM's server, one per port. */
class LocalProcessLauncherReplicasTest extends ReplicaLauncherContract {

    @TempDir
    static Path dir;
    static Path stub;

    @BeforeAll
    static void copyStub() throws Exception {
        assumeTrue(LauncherScriptDryRunTest.python3Available(), "python3 is not installed");
        stub = dir.resolve("stub_vllm_server.py");
        try (InputStream in = LocalProcessLauncherReplicasTest.class.getResourceAsStream("stub_vllm_server.py")) {
            Files.write(stub, in.readAllBytes());
        }
    }

    @Override
    PipelineLauncher launcher(int firstPort, int lastPort, LaunchProgress progress) {
        // The stand-in serves where the plan says vLLM would: the port this launch was given.
        return quick(LocalProcessLauncher.builder()).portRange(firstPort, lastPort).progress(progress)
                .command(plan -> List.of("python3", stub.toString(), Integer.toString(plan.endpoint().getPort())))
                .logDirectory(dir).build();
    }

    @Override
    Placement placement() {
        return Placement.parse("node0:40");
    }

    @Override
    PlacementRequest request() {
        return TestClusters.request(TestClusters.loopback());
    }
}
