package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.StreamTiming;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C on a real {@code placement bench} process (SIGINT, as a terminal sends it) prints the partial result
 * exactly once, with its output going to files, where the JVM's halt once raced the command's own printing.
 * The signal is sent when the server has seen the run's fourth request: with two streams and the later
 * requests slow, the first two have then finished, so the partial result always holds exactly two.
 */
class BenchInterruptTest {
    private static final int RUNS = 20;

    @TempDir
    Path dir;

    @Test
    void ctrlCPrintsThePartialResultExactlyOnceInEveryRun() throws Exception {
        for (int run = 0; run < RUNS; run++) {
            CountDownLatch fourthRequest = new CountDownLatch(1);
            StreamTiming fast = new StreamTiming(Duration.ZERO, Duration.ZERO);
            StreamTiming slow = new StreamTiming(Duration.ofSeconds(60), Duration.ofSeconds(1));
            try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().timingByArrival(arrival -> {
                if (arrival == 3) {
                    fourthRequest.countDown();
                }
                return arrival < 2 ? fast : slow;
            }).start()) {
                Path out = dir.resolve("out-" + run + ".txt");
                Path err = dir.resolve("err-" + run + ".txt");
                Process bench = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                        PlacementCommand.class.getName(), "bench", "--url", server.baseUrl().toString(),
                        "--model", server.modelName(), "--num-prompts", "8", "--max-concurrency", "2",
                        "--output-len", "4", "--num-warmups", "0", "--no-progress"))
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                try {
                    assertThat(fourthRequest.await(60, TimeUnit.SECONDS)).as(read(err)).isTrue();
                    interrupt(bench);
                    assertThat(bench.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
                } finally {
                    bench.destroyForcibly();
                }
                String stdout = read(out);
                String stderr = read(err);
                assertThat(occurrences(stderr, "placement: interrupted; results of the 2 requests finished so far:"))
                        .as("run %d, stderr: %s", run, stderr).isEqualTo(1);
                assertThat(occurrences(stdout, "Successful requests:")).as("run %d, stdout: %s", run, stdout)
                        .isEqualTo(1);
                assertThat(stdout).containsPattern("(?m)^Successful requests: +2$");
            }
        }
    }

    /** Sends SIGINT, what Ctrl-C on a terminal sends ({@link Process#destroy} sends SIGTERM). */
    private static void interrupt(Process p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -INT").isZero();
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
