package dev.placement.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement launch} tells the user what it waits for: a real CLI process against a loopback fake of the
 * Ray dashboard and of vLLM, whose {@code /health} answers 503 for its first 15 polls (Ray's launcher polls
 * every 2 s: about 30 s) and then 200. Lines are checked by their content and the seconds they report, which
 * the launcher measures itself; no wall-clock bound is asserted.
 */
class LaunchProgressTest {
    private static final Pattern LINE = Pattern.compile("(?m)^placement: \\[ *(\\d+) s] (.*)$");

    @TempDir
    Path dir;
    private WireMockServer wm;

    @BeforeEach
    void fakeRayAndVllm() {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        wm.stubFor(get(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(404)));
        wm.stubFor(put(urlPathMatching("/api/packages/gcs/.*")).willReturn(aResponse().withStatus(200)));
        wm.stubFor(post(urlEqualTo("/api/jobs/")).willReturn(okJson("{\"submission_id\": \"placement-x\"}")));
        wm.stubFor(get(urlPathMatching("/api/jobs/placement-[^/]+")).willReturn(okJson("{\"status\": \"RUNNING\"}")));
        wm.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\": \"list\", \"data\": "
                + "[{\"id\": \"tiiuae/Falcon3-10B-Base\", \"object\": \"model\"}]}")));
        // The rank report launch_vllm.py prints from vLLM's engine core, as Ray relays an actor's line.
        wm.stubFor(get(urlPathMatching("/api/jobs/placement-[^/]+/logs")).willReturn(okJson("{\"logs\": "
                + "\"(OpenAiServer pid=7) placement-event {\\\"event\\\": \\\"ranks_verified\\\", \\\"ranks\\\": "
                + "[{\\\"rank\\\": 0, \\\"node\\\": \\\"node0\\\", \\\"ip\\\": \\\"127.0.0.1\\\"}, "
                + "{\\\"rank\\\": 1, \\\"node\\\": \\\"node1\\\", \\\"ip\\\": \\\"127.0.0.2\\\"}]}\\n\"}")));
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    private void healthyAfter(int failures) {
        String state = Scenario.STARTED;
        for (int i = 0; i < failures; i++) {
            wm.stubFor(get(urlEqualTo("/health")).inScenario("health").whenScenarioStateIs(state)
                    .willReturn(aResponse().withStatus(503)).willSetStateTo("h" + (i + 1)));
            state = "h" + (i + 1);
        }
        wm.stubFor(get(urlEqualTo("/health")).inScenario("health").whenScenarioStateIs(state)
                .willReturn(aResponse().withStatus(200)));
    }

    private String launch(String... extra) throws Exception {
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, "nodes:\n  - {id: node0, address: 127.0.0.1, gpu: T4}\n"
                + "  - {id: node1, address: 127.0.0.1, gpu: T4}\n");
        Path err = dir.resolve("err.txt");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), PlacementCommand.class.getName()));
        command.addAll(List.of("launch", "--cluster", cluster.toString(), "--model", "tiiuae/Falcon3-10B-Base",
                "--placement", "node0:20,node1:20", "--runtime", "ray-jobs", "--ray-address", wm.baseUrl(),
                "--port", Integer.toString(wm.port()), "--dtype", "half"));
        command.addAll(List.of(extra));
        Process p = new ProcessBuilder(command).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("exited").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(stderr).isZero();
        return stderr;
    }

    @Test
    void aLaunchThatWaitsAbout30SecondsPrintsItsPhasesAtLeastEvery10Seconds() throws Exception {
        healthyAfter(15);

        String stderr = launch("--verbose");

        Matcher m = LINE.matcher(stderr);
        List<long[]> waits = new java.util.ArrayList<>();
        List<String> states = new java.util.ArrayList<>();
        while (m.find()) {
            waits.add(new long[] {Long.parseLong(m.group(1))});
            states.add(m.group(2));
        }
        assertThat(states).as(stderr).hasSizeGreaterThanOrEqualTo(3);
        assertThat(states.get(0)).startsWith("submitting Ray job placement-");
        assertThat(states).anySatisfy(s -> assertThat(s).startsWith("submitted Ray job placement-"));
        assertThat(states).anySatisfy(s -> assertThat(s).contains("is RUNNING; vLLM not ready yet at")
                .endsWith("/health answered 503"));
        assertThat(states).contains("ranks verified: node0 (127.0.0.1), node1 (127.0.0.2)");
        assertThat(states.get(states.size() - 1)).startsWith("serving at http://127.0.0.1:" + wm.port());
        // The same wait is repeated at least every 10 s, by the seconds the launcher itself counted.
        for (int i = 1; i < waits.size(); i++) {
            assertThat(waits.get(i)[0] - waits.get(i - 1)[0]).as(stderr).isLessThanOrEqualTo(10 + 2);
        }
        // --verbose shows the library's INFO lines too.
        assertThat(stderr).contains("[INFO] submitted Ray job placement-");
    }

    @Test
    void quietPrintsNoProgress() throws Exception {
        healthyAfter(0);

        String stderr = launch();
        assertThat(LINE.matcher(stderr).find()).as(stderr).isTrue();
        String quiet = launch("--quiet");
        assertThat(quiet).doesNotContain("placement: [");
    }

    @Test
    void theSameStateIsRepeatedEvery10SecondsAndAChangeAtOnce() {
        StringWriter text = new StringWriter();
        LaunchProgressLines lines = new LaunchProgressLines(new PrintWriter(text));
        for (int s = 0; s <= 30; s += 2) {
            lines.update(s < 24 ? "waiting" : "serving", Duration.ofSeconds(s));
        }
        assertThat(text.toString()).isEqualTo("placement: [   0 s] waiting\n" + "placement: [  10 s] waiting\n"
                + "placement: [  20 s] waiting\n" + "placement: [  24 s] serving\n");
    }
}
