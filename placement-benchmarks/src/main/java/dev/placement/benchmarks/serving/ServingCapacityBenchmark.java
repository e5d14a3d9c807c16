package dev.placement.benchmarks.serving;

import dev.placement.vllm.bench.BenchmarkListener;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.vllm.bench.ServingBenchmark;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Capacity harness for the serving benchmark (a timing harness, not a unit test): drives the loopback streaming
 * server with many concurrent streams and reports how much the generator adds to the measured inter-token
 * latency, {@code mean ITL − injected ITL}, on this machine. The goal is under 1 ms at 256 streams on 2 cores.
 *
 * <p>The server and the generator share the JVM and the cores, so the figures are conservative: the server's
 * own CPU use and write lateness count against the generator. Arrivals are Poisson at a rate above what the
 * streams can serve, capped at the stream count, so that 256 streams stay in flight without starting in one
 * lock-step burst. The first round only warms up the JIT and is not reported.
 *
 * <pre>
 * mvn -q -Dplacement.buildSuffix=-me -pl placement-benchmarks -am package -DskipTests
 * java -cp placement-benchmarks/target-me/benchmarks.jar \
 *     dev.placement.benchmarks.serving.ServingCapacityBenchmark [--streams 256] [--prompts 1024] \
 *     [--output-len 64] [--ttft-ms 30] [--itl-ms 10] [--rounds 3]
 * </pre>
 * Prints a Markdown table (one row per round) and the machine it ran on.
 */
public final class ServingCapacityBenchmark {

    private ServingCapacityBenchmark() {
    }

    /**
     * Runs the harness.
     *
     * @param args {@code --streams N --prompts N --output-len N --ttft-ms MS --itl-ms MS --rounds N}
     */
    public static void main(String[] args) {
        int streams = intArg(args, "--streams", 256);
        int prompts = intArg(args, "--prompts", 1024);
        int outputLen = intArg(args, "--output-len", 64);
        int ttftMillis = intArg(args, "--ttft-ms", 30);
        int itlMillis = intArg(args, "--itl-ms", 10);
        int rounds = intArg(args, "--rounds", 3);
        double requestSeconds = (ttftMillis + (outputLen - 1) * itlMillis) / 1000.0;
        double rate = 1.5 * streams / requestSeconds;

        System.out.printf(Locale.ROOT, "machine: %s, %d cores; %s %s; load average %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), loadAverage());
        System.out.printf(Locale.ROOT, "workload: %d streams (max concurrency), %d prompts, %d output tokens, "
                + "injected TTFT %d ms, ITL %d ms, Poisson arrivals at %.0f req/s%n%n", streams, prompts, outputLen,
                ttftMillis, itlMillis, rate);
        System.out.println("| round | completed | failed | peak streams | mean ITL ms | added ITL ms | median ITL ms "
                + "| p99 ITL ms | mean TTFT ms | TTFT − truth ms | server late ms | chunks/s | CPU µs/chunk |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");

        List<double[]> added = new ArrayList<>();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timeToFirstToken(Duration.ofMillis(ttftMillis)).interTokenLatency(Duration.ofMillis(itlMillis))
                .start()) {
            ServingBenchmark benchmark = ServingBenchmark.builder().baseUrl(server.baseUrl())
                    .model(server.modelName()).numPrompts(prompts).maxConcurrency(streams).requestRate(rate)
                    .inputTokens(16).outputTokens(outputLen).warmupRequests(streams).seed(1)
                    .requestTimeout(Duration.ofMinutes(2)).build();
            for (int round = 0; round <= rounds; round++) {
                long[] cpuAtStart = new long[1];
                BenchmarkResult r = benchmark.run(new BenchmarkListener() {
                    @Override
                    public void runStarted(int totalRequests) {
                        server.resetLateness();
                        cpuAtStart[0] = processCpuNanos();
                    }
                });
                long cpuNanos = processCpuNanos() - cpuAtStart[0];
                LoopbackStreamingServer.Lateness late = server.lateness();
                if (round == 0) {
                    continue;
                }
                long chunks = r.itl().count() + r.completed();
                double addedItl = r.itl().meanMillis() - itlMillis;
                added.add(new double[] {addedItl, r.itl().percentileMillis(99) - itlMillis});
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f | %.2f "
                        + "| %.0f | %.1f |%n", round, r.completed(), r.failed(), r.maxConcurrentRequests(),
                        r.itl().meanMillis(), addedItl, r.itl().medianMillis(), r.itl().percentileMillis(99),
                        r.ttft().meanMillis(), r.ttft().meanMillis() - ttftMillis - late.meanFirstChunkMillis(),
                        late.meanMillis(), chunks / r.durationSeconds(), cpuNanos / 1e3 / chunks);
            }
        }
        added.sort(Comparator.comparingDouble(a -> a[0]));
        double[] median = added.get(added.size() / 2);
        System.out.printf(Locale.ROOT, "%nITL added by the generator at %d streams: median of %d rounds %.3f ms "
                + "(goal < 1 ms: %s); load average after: %s%n", streams, added.size(), median[0],
                Math.abs(median[0]) < 1 ? "met" : "NOT met", loadAverage());
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                try {
                    int value = Integer.parseInt(args[i + 1]);
                    if (value >= 1) {
                        return value;
                    }
                } catch (NumberFormatException e) {
                    // Reported below.
                }
                throw new IllegalArgumentException(name + ": '" + args[i + 1] + "' is not a positive integer");
            }
        }
        return fallback;
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
        }
    }
}
