package dev.placement.benchmarks.serving;

import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Slo;
import dev.placement.api.Workload;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.StreamTiming;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.vllm.bench.GoodputSlo;
import dev.placement.vllm.bench.ServingBenchmark;
import java.time.Duration;
import java.util.Locale;

/**
 * Accuracy harness for predicted goodput (a timing harness, not a unit test): the performance model predicts the
 * per-request spread of 13/14/12 on the research testbed at [2, 10] (the simulated cluster's truth, at a TPOT/ITL
 * ratio of 1 as a loopback stream has), a loopback server plays those timings by burst position ({@code arrival
 * mod concurrency}), and the serving benchmark behind {@code placement bench --goodput} measures goodput exactly
 * as {@code vllm bench serve} does, against SLOs halfway between burst positions. It prints the predicted and the
 * measured goodput, their gap and how late the server's writes were. The timings are played {@code --speed}
 * times faster so that a run takes seconds; the bench's duration ends with the last burst's tail, so more
 * prompts shrink the gap. A first, shorter run only warms the JIT up and is not reported.
 *
 * <pre>
 * mvn -q -Dplacement.buildSuffix=-me -pl placement-benchmarks -am package -DskipTests
 * java -cp placement-benchmarks/target-me/benchmarks.jar \
 *     dev.placement.benchmarks.serving.GoodputAccuracyBenchmark [--speed 10] [--prompts 192] [--concurrency 4]
 * </pre>
 */
public final class GoodputAccuracyBenchmark {
    private GoodputAccuracyBenchmark() {
    }

    /**
     * Runs the comparison once and prints it.
     *
     * @param args {@code --speed S}, {@code --prompts N}, {@code --concurrency C}
     */
    public static void main(String[] args) {
        double speed = 10;
        int prompts = 192;
        int concurrency = 4;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--speed" -> speed = Double.parseDouble(args[i + 1]);
                case "--prompts" -> prompts = Integer.parseInt(args[i + 1]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        run(speed, Math.max(concurrency, prompts / 4), concurrency); // warms the JIT up; not reported
        Result r = run(speed, prompts, concurrency);
        System.out.printf(Locale.ROOT, "speed %.0fx, %d prompts at concurrency %d: predicted %.3f req/s, measured"
                + " %.3f req/s (%+.1f%%); %d of %d good; server writes late by %.2f ms on average, %.1f ms at most%n",
                speed, prompts, concurrency, r.predicted(), r.measured(), 100 * (r.measured() / r.predicted() - 1),
                r.good(), prompts, r.lateness().meanMillis(), r.lateness().maxMillis());
    }

    /**
     * What one comparison found.
     *
     * @param predicted goodput the model predicts, requests/s as played
     * @param measured  goodput the serving benchmark measured, requests/s
     * @param good      requests that met every SLO
     * @param lateness  how late the server's chunk writes began against their schedule
     */
    record Result(double predicted, double measured, int good, LoopbackStreamingServer.Lateness lateness) {
    }

    static Result run(double speed, int prompts, int concurrency) {
        PerformanceModel truth = new PerformanceModel(PerformanceModel.Parameters.defaults()
                .withMemoryBandwidthEfficiency(0.65).withComputeEfficiency(0.30).withLatencyCrossingFactor(5)
                .withStepOverheadMillis(3));
        Workload workload = new Workload(1024, 8, concurrency);
        PlacementRequest request = PlacementRequest.builder(ResearchTestbed.FALCON3_10B, ResearchTestbed.cluster(),
                ResearchTestbed.links(0.2, 2, 10)).workload(workload).maxModelLen(4096).build();
        Prediction p = truth.predict(Placement.parse("node0:14,node1:14,node2:12"), request);
        Prediction.Spread s = p.spread();
        int half = s.sequences() / 2;
        Slo slo = new Slo((s.ttftMillis(half - 1) + s.ttftMillis(half)) / 2, null, s.tpotMillis() * 1.5, null);
        double predicted = s.goodput(slo) * speed;
        double f = speed;
        int b = s.sequences();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timingByArrival(arrival -> new StreamTiming(millis(s.ttftMillis(arrival % b) / f),
                        millis(s.tpotMillis() / f)))
                .start()) {
            ServingBenchmark bench = ServingBenchmark.builder().baseUrl(server.baseUrl()).model(server.modelName())
                    .numPrompts(prompts).maxConcurrency(concurrency).inputTokens(16)
                    .outputTokens(workload.outputTokens()).warmupRequests(concurrency)
                    .goodput(GoodputSlo.parse(String.format(Locale.ROOT, "ttft:%.3f tpot:%.3f",
                            slo.ttftMillis() / f, slo.tpotMillis() / f)))
                    .requestTimeout(Duration.ofMinutes(2)).build();
            BenchmarkResult result = bench.run();
            return new Result(predicted, result.requestGoodput().orElse(Double.NaN),
                    result.goodCompleted().orElse(0), server.lateness());
        }
    }

    private static Duration millis(double ms) {
        return Duration.ofNanos(Math.round(ms * 1e6));
    }
}
