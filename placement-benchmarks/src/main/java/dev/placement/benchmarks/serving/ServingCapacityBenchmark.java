package dev.placement.benchmarks.serving;

import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import dev.placement.vllm.bench.BenchmarkListener;
import dev.placement.vllm.bench.BenchmarkPrompt;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.vllm.bench.ServingBenchmark;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Capacity and accuracy harness for the serving benchmark (a timing harness, not a unit test): drives the
 * loopback streaming server at 1, 64 and 256 concurrent streams and reports how far the generator's chunk
 * timestamps are from the truth, which is the time the server recorded writing each chunk (same JVM, same
 * {@link System#nanoTime()}): what the client adds to each chunk's latency and to TTFT, the error of each ITL
 * against the server's gap between the same two writes (mean and p99), and the share of gaps merged into one
 * read. Also the mean ITL against the injected ITL, as before. The goal is under 1 ms of mean ITL error at 256
 * streams on 2 cores. This is where accuracy is measured: the unit tests check only what holds on any machine.
 *
 * <p>The server and the generator share the JVM and the cores, so the figures are conservative. Arrivals are
 * Poisson at 1.5 times what the streams can serve, capped at the stream count, so that the streams stay in
 * flight without starting in one lock-step burst. The first round of each stream count only warms up the JIT
 * and is not reported.
 *
 * <pre>
 * mvn -q -Dplacement.buildSuffix=-me -pl placement-benchmarks -am package -DskipTests
 * java -cp placement-benchmarks/target-me/benchmarks.jar \
 *     dev.placement.benchmarks.serving.ServingCapacityBenchmark [--streams 1,64,256] [--prompts N] \
 *     [--output-len 64] [--ttft-ms 30] [--itl-ms 10] [--rounds 3]
 * </pre>
 * {@code --prompts} defaults to 4 per stream, at least 32. Prints a Markdown table (one row per round), a
 * summary per stream count and the machine it ran on.
 */
public final class ServingCapacityBenchmark {

    private ServingCapacityBenchmark() {
    }

    /**
     * Runs the harness.
     *
     * @param args {@code --streams N,N,... --prompts N --output-len N --ttft-ms MS --itl-ms MS --rounds N}
     */
    public static void main(String[] args) {
        List<Integer> streamCounts = Arrays.stream(stringArg(args, "--streams", "1,64,256").split(","))
                .map(v -> positive("--streams", v)).toList();
        int outputLen = intArg(args, "--output-len", 64);
        int ttftMillis = intArg(args, "--ttft-ms", 30);
        int itlMillis = intArg(args, "--itl-ms", 10);
        int rounds = intArg(args, "--rounds", 3);

        System.out.printf(Locale.ROOT, "machine: %s, %d cores; %s %s; load average %s%n", cpuModel(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), loadAverage());
        System.out.printf(Locale.ROOT, "workload: %s streams (max concurrency), %d output tokens, injected TTFT "
                + "%d ms, ITL %d ms%n%n", streamCounts, outputLen, ttftMillis, itlMillis);
        System.out.println("| streams | round | completed | failed | peak | chunks/s | mean ITL ms | ITL − injected "
                + "ms | ITL − server ms | p99 abs ITL error ms | merged gaps % | added mean ms | added p50 ms "
                + "| added p99 ms | added max ms | TTFT added ms | server late ms | CPU µs/chunk | before sent |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<String> summary = new ArrayList<>();
        for (int streams : streamCounts) {
            int prompts = intArg(args, "--prompts", Math.max(32, 4 * streams));
            List<RoundAccuracy> measured = measure(streams, prompts, outputLen, ttftMillis, itlMillis, rounds);
            summary.add(String.format(Locale.ROOT, "%d streams, median of %d rounds: mean ITL error %.3f ms, "
                    + "p99 |ITL error| %.2f ms, merged gaps %.2f %%, added per chunk %.3f ms (p99 %.2f ms), TTFT "
                    + "added %.3f ms; load average after: %s", streams, measured.size(),
                    median(measured, RoundAccuracy::itlErrorMillis), median(measured,
                            RoundAccuracy::p99ItlErrorMillis), 100 * median(measured, RoundAccuracy::mergedGapShare),
                    median(measured, RoundAccuracy::meanAddedMillis), median(measured,
                            RoundAccuracy::p99AddedMillis), median(measured, RoundAccuracy::ttftAddedMillis),
                    loadAverage()));
            if (streams == 256) {
                double error = median(measured, RoundAccuracy::itlErrorMillis);
                summary.add("goal < 1 ms of mean ITL error at 256 streams: " + (Math.abs(error) < 1 ? "met"
                        : "NOT met"));
            }
        }
        System.out.println();
        summary.forEach(System.out::println);
    }

    /** Runs a warm-up round and {@code rounds} measured ones at one stream count, printing a row per round. */
    private static List<RoundAccuracy> measure(int streams, int prompts, int outputLen, int ttftMillis,
            int itlMillis, int rounds) {
        double requestSeconds = (ttftMillis + (outputLen - 1) * itlMillis) / 1000.0;
        List<BenchmarkPrompt> numbered = new ArrayList<>(prompts);
        for (int i = 0; i < prompts; i++) {
            // Every prompt different, so that the server's record of a stream can be found by its prompt.
            numbered.add(new BenchmarkPrompt("request " + i + " of the capacity run", 6));
        }
        List<RoundAccuracy> measured = new ArrayList<>();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timeToFirstToken(Duration.ofMillis(ttftMillis)).interTokenLatency(Duration.ofMillis(itlMillis))
                .recordSendTimes().start()) {
            ServingBenchmark benchmark = ServingBenchmark.builder().baseUrl(server.baseUrl())
                    .model(server.modelName()).numPrompts(prompts).maxConcurrency(streams)
                    .requestRate(1.5 * streams / requestSeconds).prompts(numbered).outputTokens(outputLen)
                    .warmupRequests(streams).seed(1).requestTimeout(Duration.ofMinutes(2)).build();
            for (int round = 0; round <= rounds; round++) {
                long[] cpuAtStart = new long[1];
                int[] arrivalsBefore = new int[1];
                BenchmarkResult r = benchmark.run(new BenchmarkListener() {
                    @Override
                    public void runStarted(int totalRequests) {
                        // Warm-ups have all been received by now, and no timed request yet.
                        arrivalsBefore[0] = server.requestsReceived();
                        server.resetLateness();
                        cpuAtStart[0] = processCpuNanos();
                    }
                });
                long cpuNanos = processCpuNanos() - cpuAtStart[0];
                LoopbackStreamingServer.Lateness late = server.lateness();
                if (round == 0) {
                    continue;
                }
                Map<String, SentStream> timed = server.sentStreams().stream()
                        .filter(s -> s.arrival() >= arrivalsBefore[0])
                        .collect(Collectors.toMap(SentStream::prompt, Function.identity()));
                RoundAccuracy a = RoundAccuracy.of(r, numbered, timed);
                measured.add(a);
                long chunks = r.itl().count() + r.completed();
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %.0f | %.3f | %.3f | %.3f | %.2f | %.2f "
                        + "| %.3f | %.3f | %.2f | %.2f | %.3f | %.2f | %.1f | %d |%n", streams, round, r.completed(),
                        r.failed(), r.maxConcurrentRequests(), chunks / r.durationSeconds(), r.itl().meanMillis(),
                        r.itl().meanMillis() - itlMillis, a.itlErrorMillis(), a.p99ItlErrorMillis(),
                        100 * a.mergedGapShare(), a.meanAddedMillis(), a.p50AddedMillis(), a.p99AddedMillis(),
                        a.maxAddedMillis(), a.ttftAddedMillis(), late.meanMillis(), cpuNanos / 1e3 / chunks,
                        a.beforeSent());
            }
        }
        return measured;
    }

    private static double median(List<RoundAccuracy> rounds, ToDoubleFunction<RoundAccuracy> figure) {
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        return values[values.length / 2];
    }

    private static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(name + ": '" + value + "' is not a positive integer");
    }

    private static int intArg(String[] args, String name, int fallback) {
        String value = stringArg(args, name, null);
        return value == null ? fallback : positive(name, value);
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
