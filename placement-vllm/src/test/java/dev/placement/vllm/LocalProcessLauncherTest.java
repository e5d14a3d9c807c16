package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.placement.api.LaunchException;
import dev.placement.api.Placement;
import dev.placement.api.RunningPipeline;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts and stops a real local process: a python3 stand-in serving vLLM's health and models endpoints. */
class LocalProcessLauncherTest {

    @TempDir
    static Path dir;
    static Path stub;

    @BeforeAll
    static void copyStub() throws Exception {
        Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "python3 is not installed");
        stub = dir.resolve("stub_vllm_server.py");
        try (InputStream in = LocalProcessLauncherTest.class.getResourceAsStream("stub_vllm_server.py")) {
            Files.write(stub, in.readAllBytes());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static LocalProcessLauncher.Builder launcher(int port, List<String> command) {
        return LocalProcessLauncher.builder().options(VllmOptions.builder().port(port).build())
                .command(plan -> command).logDirectory(dir).pollInterval(Duration.ofMillis(50))
                .stopGracePeriod(Duration.ofSeconds(5)).drainTimeout(Duration.ofSeconds(2));
    }

    @Test
    void aServerProcessThatDiesIsReportedDead() throws Exception {
        int port = freePort();
        LocalProcessLauncher launcher = launcher(port, List.of("python3", stub.toString(), Integer.toString(port), "3"))
                .readyTimeout(Duration.ofSeconds(30)).build();
        RunningPipeline p = launcher.launch(Placement.parse("node0:40"), TestClusters.request(TestClusters.loopback()));
        assertThat(launcher.isAlive(p)).isTrue();

        // The server crashes: its process (a child of this JVM) is killed from outside the launcher.
        List<ProcessHandle> servers = ProcessHandle.current().descendants()
                .filter(h -> h.info().commandLine().orElse("").contains(stub.toString())).toList();
        assertThat(servers).isNotEmpty();
        for (ProcessHandle h : servers) {
            h.destroyForcibly();
            h.onExit().get();
        }

        assertThat(launcher.isAlive(p)).isFalse();
        launcher.stop(p);
    }

    @Test
    void startsTheServerWaitsUntilItIsReadyAndStopsItForReal() throws Exception {
        int port = freePort();
        List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
        LocalProcessLauncher launcher = launcher(port, List.of("python3", stub.toString(), Integer.toString(port), "3"))
                .readyTimeout(Duration.ofSeconds(30)).progress((state, waited) -> progress.add(state)).build();

        RunningPipeline p = launcher.launch(Placement.parse("node0:40"), TestClusters.request(TestClusters.loopback()));

        assertThat(p.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + port));
        // The phases it went through: started, then (whatever it waited for) serving.
        assertThat(progress.get(0)).startsWith("started python3 (pid ");
        assertThat(progress.get(progress.size() - 1)).isEqualTo("serving at http://127.0.0.1:" + port);
        assertThat(launcher.isAlive(p)).isTrue();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(p.endpoint().resolve("/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        // The process saw the plan's environment.
        assertThat(models.body()).contains("partition-40");

        launcher.stop(p);

        assertThat(launcher.isAlive(p)).isFalse();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(p.endpoint().resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        launcher.stop(p);
    }

    @Test
    void processThatExitsBeforeReadyFailsWithItsExitCodeAndLog() throws Exception {
        LocalProcessLauncher launcher = launcher(freePort(), List.of("python3", "-c",
                "import sys; print('torch.OutOfMemoryError: CUDA out of memory'); sys.exit(3)"))
                .readyTimeout(Duration.ofSeconds(30)).build();

        assertThatThrownBy(() -> launcher.launch(Placement.parse("node0:40"),
                TestClusters.request(TestClusters.loopback())))
                .isInstanceOf(LaunchException.class).hasMessageContaining("exited with code 3")
                .hasMessageContaining("CUDA out of memory");
    }

    @Test
    void serverThatNeverGetsReadyIsKilledAtTheTimeout() throws Exception {
        int port = freePort();
        FakeTime time = new FakeTime();
        // Never ready: /health answers 503 a thousand times; fake time makes the 60 s timeout pass at once.
        LocalProcessLauncher launcher = launcher(port, List.of("python3", stub.toString(), Integer.toString(port),
                "1000")).clock(time).sleeper(d -> {
                    time.sleep(Duration.ofSeconds(10));
                }).readyTimeout(Duration.ofSeconds(60)).build();

        assertThatThrownBy(() -> launcher.launch(Placement.parse("node0:40"),
                TestClusters.request(TestClusters.loopback())))
                .isInstanceOf(LaunchException.class).hasMessageContaining("not ready within 60 s")
                .hasMessageContaining("the process was killed");
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.getLocalPort()).as("the port is free again").isEqualTo(port);
        }
    }

    @Test
    void missingExecutableIsALaunchException() {
        LocalProcessLauncher launcher = launcher(8000, List.of("/nonexistent/vllm", "serve")).build();
        assertThatThrownBy(() -> launcher.launch(Placement.parse("node0:40"),
                TestClusters.request(TestClusters.loopback()))).isInstanceOf(LaunchException.class)
                .hasMessageContaining("/nonexistent/vllm");
    }
}
