package dev.placement.vllm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.LaunchException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Placement;
import dev.placement.api.RunningPipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshLauncherTest {

    /** Records commands per node and answers like a node would. */
    static final class ScriptedNodes implements CommandRunner {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final List<List<String>> commands = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean launcherAlive = new AtomicBoolean();
        volatile boolean ignoreTerm;
        volatile int rayStartExit;
        volatile boolean launcherExitsAtOnce;
        volatile String launcherEvents = TestClusters.RANKS_VERIFIED + "\n";

        @Override
        public CommandResult run(NodeSpec node, List<String> command, Duration timeout) {
            log.add(node.id() + ": " + command.get(0) + (command.size() > 1 ? " " + command.get(1) : ""));
            commands.add(command);
            if (command.get(0).equals("ray") && command.get(1).equals("start")) {
                return new CommandResult(rayStartExit, "",
                        rayStartExit == 0 ? "" : "ConnectionError: GCS at 10.0.0.10:6379 unreachable");
            }
            if (command.get(0).equals("sh")) {
                launcherAlive.set(!launcherExitsAtOnce);
                return new CommandResult(0, "4242\n", "");
            }
            if (command.get(0).equals("kill")) {
                if (command.get(1).equals("-0")) {
                    return new CommandResult(launcherAlive.get() ? 0 : 1, "", "");
                }
                if (command.get(1).equals("-KILL") || !ignoreTerm) {
                    launcherAlive.set(false);
                }
                return new CommandResult(0, "", "");
            }
            if (command.get(0).equals("grep")) {
                return new CommandResult(0, launcherEvents, "");
            }
            if (command.get(0).equals("tail")) {
                return new CommandResult(0, "ValueError: Invalid partition string\n", "");
            }
            return new CommandResult(0, "", "");
        }
    }

    private WireMockServer wm;
    private final FakeTime time = new FakeTime();
    private final ScriptedNodes nodes = new ScriptedNodes();
    private ClusterSnapshot cluster;

    @BeforeEach
    void start() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        cluster = new ClusterSnapshot(List.of(new NodeSpec("node0", "127.0.0.1", TestClusters.T4),
                new NodeSpec("node1", "10.0.0.11", TestClusters.T4)));
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private SshLauncher launcher() {
        return SshLauncher.builder().runner(nodes).options(VllmOptions.builder().port(wm.port()).build())
                .clock(time).sleeper(time).readyTimeout(Duration.ofSeconds(60)).drainTimeout(Duration.ofSeconds(10))
                .stopGracePeriod(Duration.ofSeconds(10)).build();
    }

    private void ready() {
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(200)));
        wm.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}")));
        wm.stubFor(get(urlEqualTo("/metrics")).willReturn(aResponse().withStatus(200)
                .withBody("vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 0.0\n")));
    }

    @Test
    void launchInstallsTheLauncherStartsRayHeadThenWorkersThenTheServerInOrder() {
        ready();

        RunningPipeline p = launcher().launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));

        assertThat(nodes.log).startsWith("node0: python3 -c", "node0: ray start", "node1: ray start", "node0: sh -c");
        List<String> serverCmd = nodes.commands.get(3);
        assertThat(serverCmd).contains("VLLM_PP_LAYER_PARTITION=20,20", "VLLM_USE_RAY_V2_EXECUTOR_BACKEND=1",
                "VLLM_RAY_BUNDLE_INDICES=0,1", "python3", "/tmp/placement/launch_vllm.py", "--plan-b64");
        assertThat(serverCmd.get(2)).isEqualTo(SshLauncher.DETACH);
        assertThat(nodes.commands.get(1)).contains("--head");
        assertThat(nodes.commands.get(2)).contains("--address=127.0.0.1:6379");
        assertThat(p.id()).startsWith("ssh-placement-");
        assertThat(p.endpoint().getPort()).isEqualTo(wm.port());
    }

    @Test
    void launchReadsTheVerifiedRanksFromTheLaunchersLogAndFailsWithItsLineOnAMismatch() {
        ready();
        RunningPipeline p = launcher().launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));
        assertThat(p.verifiedRanks()).containsExactly("node0 (127.0.0.1)", "node1 (10.0.0.11)");
        assertThat(nodes.commands).anySatisfy(c -> assertThat(c).startsWith("grep", "-a", "-F")
                .last().asString().endsWith(".log"));

        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(503)));
        nodes.launcherEvents = "placement-event {\"event\": \"rank_mismatch\", \"message\": \"rank 1 runs on "
                + "node2 (10.0.0.12), but the plan puts it on node1 (10.0.0.11)\"}\n";
        nodes.launcherExitsAtOnce = true; // as it does once vLLM's engine core has failed
        assertThatThrownBy(() -> launcher().launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("rank 1 runs on node2 (10.0.0.12), but the plan puts it on node1 (10.0.0.11)");
    }

    @Test
    void stopTerminatesTheLauncherAndStopsRayOnTheNodesItStarted() {
        ready();
        SshLauncher launcher = launcher();
        RunningPipeline p = launcher.launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));
        nodes.log.clear();

        launcher.stop(p);

        assertThat(nodes.log).containsSubsequence("node0: kill -TERM", "node0: kill -0", "node1: ray stop",
                "node0: ray stop");
        assertThat(nodes.log).doesNotContain("node0: kill -KILL");
        assertThat(nodes.launcherAlive).isFalse();
    }

    @Test
    void aLauncherProcessThatExitedIsReportedDeadAsIsAPipelineItStopped() {
        ready();
        SshLauncher launcher = launcher();
        RunningPipeline p = launcher.launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));
        assertThat(launcher.isAlive(p)).isTrue();

        nodes.launcherAlive.set(false);
        assertThat(launcher.isAlive(p)).isFalse();

        nodes.launcherAlive.set(true);
        launcher.stop(p);
        assertThat(launcher.isAlive(p)).isFalse();
    }

    @Test
    void aLaunchOntoANodeWhereThisLauncherStartedRayForASiblingIsRefusedUntilTheSiblingStops() {
        ready();
        SshLauncher launcher = launcher();
        RunningPipeline first = launcher.launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));
        nodes.log.clear();

        // 'ray stop' for one replica would end the other's Ray on the shared node, so the second is refused.
        assertThatThrownBy(() -> launcher.launch(Placement.parse("node1:40"), TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("node 'node1' (10.0.0.11) already runs Ray that this launcher started for "
                        + first.id());
        assertThat(nodes.log).noneMatch(l -> l.contains("ray"));
        assertThat(launcher.isAlive(first)).isTrue();

        launcher.stop(first);
        nodes.log.clear();
        RunningPipeline again = launcher.launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));

        assertThat(nodes.log).contains("node0: ray start", "node1: ray start");
        assertThat(again.id()).isNotEqualTo(first.id());
    }

    @Test
    void launcherThatIgnoresSigtermIsKilledAfterTheGracePeriod() {
        ready();
        SshLauncher launcher = launcher();
        RunningPipeline p = launcher.launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster));
        nodes.ignoreTerm = true;

        launcher.stop(p);

        assertThat(nodes.log).contains("node0: kill -KILL");
        assertThat(nodes.launcherAlive).isFalse();
    }

    @Test
    void failedRayStartStopsWhatWasStartedAndReportsStderr() {
        nodes.rayStartExit = 1;

        assertThatThrownBy(() -> launcher().launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("ray-head on 'node0'")
                .hasMessageContaining("exit code 1").hasMessageContaining("GCS");
        assertThat(nodes.log).noneMatch(l -> l.contains("sh -c"));
    }

    @Test
    void serverThatNeverGetsReadyIsStoppedWithItsLogInTheMessage() {
        wm.stubFor(get(urlEqualTo("/health")).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> launcher().launch(Placement.parse("node0:20,node1:20"), TestClusters.request(cluster)))
                .isInstanceOf(LaunchException.class).hasMessageContaining("not ready within 60 s")
                .hasMessageContaining("/health answered 503").hasMessageContaining("Invalid partition string");
        assertThat(nodes.log).contains("node0: kill -TERM", "node1: ray stop", "node0: ray stop");
    }

    @Test
    void installSnippetAndDetachWrapperWorkForRealUnderShAndPython(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("sub/launch_vllm.py");
        run(List.of("python3", "-c", SshLauncher.INSTALL_SNIPPET, target.toString(),
                java.util.Base64.getEncoder().encodeToString("print('hi')\n".getBytes(StandardCharsets.UTF_8))));
        assertThat(Files.readString(target)).isEqualTo("print('hi')\n");

        Path log = dir.resolve("out.log");
        String pid = run(List.of("sh", "-c", SshLauncher.DETACH, "sh", log.toString(), "env", "X=a b;$(id)",
                "python3", "-c", "import os; print(os.environ['X'])")).strip();
        assertThat(pid).matches("\\d+");
        // The printed pid is the detached program's own (nohup execs it): once it has exited, the log is complete.
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(Files.readString(log)).isEqualTo("a b;$(id)\n");
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
