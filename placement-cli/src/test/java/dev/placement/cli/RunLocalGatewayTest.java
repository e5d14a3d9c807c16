package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.sim.StandInVllmServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code placement run} for real, as a user runs it: the CLI in its own process launches vLLM with
 * {@code --runtime local --vllm-executable} (a script that starts the stand-in server, a real process streaming
 * real SSE), serves the gateway in front of it, and on SIGTERM (what Ctrl-C amounts to: the shutdown hooks run)
 * drains, stops the stand-in and writes its report.
 */
class RunLocalGatewayTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern GATEWAY = Pattern.compile("gateway at (http://127\\.0\\.0\\.1:\\d+/v1)");

    @TempDir
    Path dir;

    private Process cli;

    @AfterEach
    void stop() throws InterruptedException {
        if (cli != null && cli.isAlive()) {
            cli.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void launchesTheServerServesThroughTheGatewayAndStopsEverythingOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        Path standIn = Files.writeString(dir.resolve("vllm-stand-in"), "#!/bin/sh\nexec '" + java
                + "' -XX:TieredStopAtLevel=1 -cp '" + classpath + "' " + StandInVllmServer.class.getName()
                + " \"$@\"\n");
        Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path cluster = Files.writeString(dir.resolve("cluster.yaml"),
                "nodes:\n  - {id: node0, address: 127.0.0.1, gpu: A100-40GB}\n");
        Path links = Files.writeString(dir.resolve("links.yaml"), "rttMillis: {}\n");
        Path out = dir.resolve("out");
        int vllmPort = freePort();

        cli = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", classpath,
                PlacementCommand.class.getName(), "run", "--cluster", cluster.toString(), "--connectivity",
                links.toString(), "--model", "tiiuae/Falcon3-10B-Base", "--runtime", "local", "--vllm-executable",
                standIn.toString(), "--port", Integer.toString(vllmPort), "--vllm-env", "PLACEMENT_STANDIN_ITL_MS=2",
                "--ready-timeout", "90", "--gateway", "0", "--tick", "0.2", "--out", out.toString())
                .directory(dir.toFile()).start();
        BlockingQueue<String> stdout = lines(cli.getInputStream());
        BlockingQueue<String> stderr = lines(cli.getErrorStream());

        String gateway = awaitMatch(stderr, GATEWAY).group(1);
        String decision = await(stdout, l -> l.contains("first_start: reconfigured"));
        assertThat(decision).contains("node0:40");

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(gateway.replace("/v1", "/health")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"").contains("node0:40");

        HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(URI.create(gateway + "/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\": \"tiiuae/Falcon3-10B-Base\", \"prompt\": \"hello\", \"max_tokens\": 8, "
                                + "\"stream\": true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("X-Placement-Pipeline")).hasValueSatisfying(id ->
                assertThat(id).startsWith("local-"));
        assertThat(streamed.body().lines().filter(l -> l.startsWith("data: {")).count()).isEqualTo(8);
        assertThat(streamed.body()).contains("data: [DONE]");
        assertThat(listening(vllmPort)).as("the stand-in serves on vLLM's --port").isTrue();

        cli.destroy();   // SIGTERM: the shutdown hook drains and stops the pipeline before the JVM exits
        assertThat(cli.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the CLI exits").isTrue();
        assertThat(listening(vllmPort)).as("the stand-in was stopped on exit").isFalse();
        assertThat(out.resolve("report.html")).content().contains("node0:40").contains("reconfigured");
        List<DecisionJournal.Entry> journal = DecisionJournal.read(out.resolve("journal.jsonl"));
        assertThat(journal).isNotEmpty();
        assertThat(journal.get(0).decision().placement().toSpec()).isEqualTo("node0:40");
    }

    private static BlockingQueue<String> lines(InputStream in) {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    queue.add(line);
                }
            } catch (IOException e) {
                queue.add("(read failed: " + e + ")");
            }
        }, "cli-output");
        reader.setDaemon(true);
        reader.start();
        return queue;
    }

    private static String await(BlockingQueue<String> queue, java.util.function.Predicate<String> wanted)
            throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
        throw new AssertionError("not seen within " + WAIT + "; seen: " + seen);
    }

    private static Matcher awaitMatch(BlockingQueue<String> queue, Pattern pattern) throws InterruptedException {
        Matcher m = pattern.matcher(await(queue, l -> pattern.matcher(l).find()));
        assertThat(m.find()).isTrue();
        return m;
    }

    private static boolean listening(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
