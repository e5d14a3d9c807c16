package dev.placement.benchmarks.serving;

import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import dev.placement.vllm.bench.BenchmarkListener;
import dev.placement.vllm.bench.BenchmarkPrompt;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.vllm.bench.ServingBenchmark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What {@code placement-gateway} adds to streaming latency (a timing harness, not a unit test): the serving
 * benchmark's client ({@link ServingBenchmark}) against the loopback streaming server directly, and through a
 * {@link dev.placement.gateway.PlacementGateway} in front of it (a real orchestrator whose one pipeline is that
 * server), in alternating rounds at the same load, after warm-up rounds of both that are not reported: at least
 * {@code --warmup-rounds}, then until a gateway round compiles for less than {@code --jit-quiet-ms} in the gateway's
 * JVM (at most {@code --max-warmup-rounds}), because a gateway in production runs with its hot paths compiled. Each round is
 * held against the truth the server recorded (when it received each request and began writing each chunk, same
 * {@link System#nanoTime()}, {@link RoundAccuracy}), so the client's own error is measured, not assumed; the
 * gateway's overhead is the difference between the two modes' medians. Targets: under 1 ms added to p99 ITL and
 * under 2 ms added to TTFT at 256 streams on 2 cores.
 *
 * <p>The gateway runs in a JVM of its own ({@link GatewayMain}), as in production, so that its collections do not
 * pause the client and the server; {@code --shared-jvm} puts it in the benchmark's JVM instead. Client, server and
 * gateway share the machine's cores, so the figures are conservative.
 *
 * <pre>
 * mvn -q -Dplacement.buildSuffix=-g -pl placement-benchmarks -am package -DskipTests
 * java -cp placement-benchmarks/target-g/benchmarks.jar \
 *     dev.placement.benchmarks.serving.GatewayOverheadBenchmark [--streams 256] [--output-len 64] \
 *     [--ttft-ms 30] [--itl-ms 10] [--rounds 3] [--warmup-rounds 2] [--max-warmup-rounds 16] [--jit-quiet-ms 40] \
 *     [--shared-jvm]
 * </pre>
 */
public final class GatewayOverheadBenchmark {
    private GatewayOverheadBenchmark() {
    }

    /**
     * Runs the harness and prints a Markdown table (one row per mode and round) and the overhead; exits with 1,
     * reporting none, if a measured request failed.
     *
     * @param args {@code --streams N --output-len N --ttft-ms MS --itl-ms MS --rounds N --warmup-rounds N
     *             --max-warmup-rounds N --jit-quiet-ms MS --prompts N --shared-jvm}
     */
    public static void main(String[] args) {
        int streams = arg(args, "--streams", 256);
        int outputLen = arg(args, "--output-len", 64);
        int ttftMillis = arg(args, "--ttft-ms", 30);
        int itlMillis = arg(args, "--itl-ms", 10);
        int rounds = arg(args, "--rounds", 3);
        int warmups = arg(args, "--warmup-rounds", 2);
        int maxWarmups = Math.max(warmups, arg(args, "--max-warmup-rounds", 16));
        int jitQuietMillis = arg(args, "--jit-quiet-ms", 40);
        int prompts = arg(args, "--prompts", 4 * streams);
        boolean sharedJvm = List.of(args).contains("--shared-jvm");
        System.out.printf(Locale.ROOT, "%d cores; %s %s; %d streams, %d prompts, %d output tokens, TTFT %d ms, ITL "
                + "%d ms; the gateway in %s%n%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), streams, prompts, outputLen,
                ttftMillis, itlMillis, sharedJvm ? "the benchmark's JVM" : "its own JVM");
        List<BenchmarkPrompt> numbered = new ArrayList<>();
        for (int i = 0; i < prompts; i++) {
            numbered.add(new BenchmarkPrompt("request " + i + " of the gateway run", 6));
        }
        double requestSeconds = (ttftMillis + (outputLen - 1) * itlMillis) / 1000.0;
        List<RoundAccuracy> direct = new ArrayList<>();
        List<RoundAccuracy> proxied = new ArrayList<>();
        List<BenchmarkResult> directRuns = new ArrayList<>();
        List<BenchmarkResult> proxiedRuns = new ArrayList<>();
        double gatewayCpuMicros = 0;
        long proxiedChunks = 0;
        long failed = 0;
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timeToFirstToken(Duration.ofMillis(ttftMillis)).interTokenLatency(Duration.ofMillis(itlMillis))
                .recordSendTimes().start();
             GatewayUnderTest gateway = sharedJvm ? GatewayUnderTest.inThisJvm(server.baseUrl())
                     : GatewayUnderTest.inItsOwnJvm(server.baseUrl())) {
            // One client per mode for the whole run, as a long-lived client would be: a new one each round would
            // leave the last round's idle connections open, and the gateway would hold 256 more each round.
            Map<Boolean, ServingBenchmark> clients = new HashMap<>();
            for (boolean viaGateway : new boolean[] {false, true}) {
                clients.put(viaGateway, ServingBenchmark.builder()
                        .baseUrl(viaGateway ? gateway.baseUri() : server.baseUrl()).model(server.modelName())
                        .numPrompts(prompts).maxConcurrency(streams).requestRate(1.5 * streams / requestSeconds)
                        .prompts(numbered).outputTokens(outputLen).warmupRequests(streams).seed(1)
                        .requestTimeout(Duration.ofMinutes(2)).build());
            }
            Warmup w = warmUp(clients, gateway, warmups, maxWarmups, jitQuietMillis);
            System.out.printf(Locale.ROOT, "%d warm-up rounds of each mode; in the last, the gateway's JVM compiled "
                    + "for %d ms (%s)%n%n", w.rounds(), w.lastJitMillis(), w.lastJitMillis() < jitQuietMillis
                    ? "under " + jitQuietMillis + " ms: warm" : "still compiling after the most warm-up rounds");
            System.out.println("| mode | round | completed | failed | p99 ITL ms | mean TTFT ms | added p50 ms "
                    + "| added p99 ms | p99 abs ITL error ms | TTFT added ms | merged gaps % | before sent "
                    + "| gateway JIT ms |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (int round = 1; round <= rounds; round++) {
                for (boolean viaGateway : new boolean[] {false, true}) {
                    ServingBenchmark bench = clients.get(viaGateway);
                    int[] before = new int[1];
                    long cpuBefore = gateway.cpuNanos();
                    long jitBefore = gateway.jitMillis();
                    BenchmarkResult r = bench.run(new BenchmarkListener() {
                        @Override
                        public void runStarted(int totalRequests) {
                            before[0] = server.requestsReceived();
                        }
                    });
                    long jit = gateway.jitMillis() - jitBefore;
                    failed += prompts - r.completed();
                    if (viaGateway && !sharedJvm) {
                        gatewayCpuMicros += (gateway.cpuNanos() - cpuBefore) / 1000.0;
                        proxiedChunks += (long) r.completed() * outputLen;
                    }
                    Map<String, SentStream> timed = server.sentStreams().stream()
                            .filter(s -> s.arrival() >= before[0])
                            .collect(Collectors.toMap(SentStream::prompt, Function.identity()));
                    RoundAccuracy a = RoundAccuracy.of(r, numbered, timed);
                    (viaGateway ? proxied : direct).add(a);
                    (viaGateway ? proxiedRuns : directRuns).add(r);
                    System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f "
                            + "| %.2f | %d | %d |%n",
                            viaGateway ? "gateway" : "direct", round, r.completed(), r.failed(),
                            r.itl().percentileMillis(99), r.ttft().meanMillis(), a.p50AddedMillis(), a.p99AddedMillis(),
                            a.p99ItlErrorMillis(), a.ttftAddedMillis(), 100 * a.mergedGapShare(), a.beforeSent(),
                            jit);
                }
            }
        }
        if (failed > 0) {
            System.out.printf(Locale.ROOT, "%n%d requests of the measured rounds failed: no overhead is reported%n",
                    failed);
            System.exit(1);
        }
        double p99Itl = median(proxiedRuns, r -> r.itl().percentileMillis(99))
                - median(directRuns, r -> r.itl().percentileMillis(99));
        double ttft = median(proxiedRuns, r -> r.ttft().meanMillis()) - median(directRuns,
                r -> r.ttft().meanMillis());
        double ttftTruth = median(proxied, RoundAccuracy::ttftAddedMillis) - median(direct,
                RoundAccuracy::ttftAddedMillis);
        double p99Added = median(proxied, RoundAccuracy::p99AddedMillis) - median(direct,
                RoundAccuracy::p99AddedMillis);
        System.out.printf(Locale.ROOT, "%ngateway overhead at %d streams (median of %d rounds, gateway − direct): "
                + "p99 ITL %+.3f ms (target < 1 ms: %s), mean TTFT %+.3f ms (target < 2 ms: %s); against the server's "
                + "send times: TTFT added %+.3f ms, p99 per-chunk added %+.3f ms%n", streams, rounds, p99Itl,
                p99Itl < 1 ? "met" : "NOT met", ttft, ttft < 2 ? "met" : "NOT met", ttftTruth, p99Added);
        if (proxiedChunks > 0) {
            System.out.printf(Locale.ROOT, "the gateway's JVM used %.1f µs of CPU per streamed chunk (its whole "
                    + "process, requests included)%n", gatewayCpuMicros / proxiedChunks);
        }
    }

    /**
     * Runs rounds of both modes, not reported, until the gateway's JVM is warm: at least {@code min} of them, then
     * until one compiled for less than {@code quietMillis} in the gateway's JVM, or {@code max} have run. A
     * gateway runs for hours, so its overhead is measured with its hot paths compiled; at 1,024 requests a round,
     * the JIT goes on compiling the per-request code for a dozen rounds.
     *
     * @return how many rounds of each mode ran, and what the gateway's JVM compiled in the last
     */
    private static Warmup warmUp(Map<Boolean, ServingBenchmark> clients, GatewayUnderTest gateway, int min, int max,
            int quietMillis) {
        int n = 0;
        long compiled = Long.MAX_VALUE;
        while (n < min || n < max && compiled >= quietMillis) {
            clients.get(false).run();
            long before = gateway.jitMillis();
            clients.get(true).run();
            compiled = gateway.jitMillis() - before;
            n++;
            System.err.printf(Locale.ROOT, "warm-up round %d: the gateway's JVM compiled for %d ms%n", n, compiled);
        }
        return new Warmup(n, compiled);
    }

    private record Warmup(int rounds, long lastJitMillis) {
    }

    private static <T> double median(List<T> rounds, ToDoubleFunction<T> figure) {
        double[] v = rounds.stream().mapToDouble(figure).sorted().toArray();
        return v[v.length / 2];
    }

    private static int arg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                int n = Integer.parseInt(args[i + 1].strip());
                if (n < 1) {
                    throw new IllegalArgumentException(name + " must be positive, was " + n);
                }
                return n;
            }
        }
        return fallback;
    }
}
