package dev.placement.vllm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas from one {@link SshLauncher} over real SSH (an in-process MINA server on 127.0.0.1 running each command
 * with /bin/sh): the launcher is installed and detached for real, and the node's "python" is a stand-in that
 * serves {@code stub_vllm_server.py} on the plan's port, so stop signals real processes by their pids. Ray is
 * taken as already running ({@code startRay(false)}), as for replicas sharing a site's Ray cluster.
 */
class SshLauncherReplicasTest extends ReplicaLauncherContract {

    @TempDir
    static Path dir;
    static LoopbackSshd sshd;
    static Path python;

    @BeforeAll
    static void startSshd() throws Exception {
        assumeTrue(LauncherScriptDryRunTest.python3Available(), "python3 is not installed");
        for (String file : List.of("stub_vllm_server.py", "node_python.py")) {
            try (InputStream in = SshLauncherReplicasTest.class.getResourceAsStream(file)) {
                Files.write(dir.resolve(file), in.readAllBytes());
            }
        }
        python = dir.resolve("node_python.py");
        assumeTrue(python.toFile().setExecutable(true), "cannot make the python stand-in executable");
        sshd = LoopbackSshd.start(dir);
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Override
    PipelineLauncher launcher(int firstPort, int lastPort, LaunchProgress progress) {
        return quick(SshLauncher.builder()).runner(sshd.runner()).python(python.toString()).startRay(false)
                .launcherDirectory(dir.resolve("launcher").toString()).portRange(firstPort, lastPort)
                .progress(progress).build();
    }

    @Override
    Placement placement() {
        return Placement.parse("node0:40");
    }

    @Override
    PlacementRequest request() {
        return TestClusters.request(new ClusterSnapshot(List.of(sshd.node("node0"))));
    }
}
