package dev.placement.benchmarks.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import dev.placement.vllm.bench.LatencyStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far one {@code placement bench --json --detailed} run is from the loopback server's own send times, for
 * {@link ClientAccuracyBenchmark}. Request i sent prompt i; its stream is the server's last one with that
 * prompt (warm-up requests repeat prompt 0 before it). All times in ms.
 *
 * @param completed         requests that completed
 * @param failed            requests that failed
 * @param medianTtftError   median over requests of client TTFT − (server's first write − server received)
 * @param p99TtftError      its 99th percentile
 * @param meanItlError      mean over gaps of client ITL − the server's gap between the same two writes
 * @param p99AbsItlError    99th percentile over gaps of |client ITL − server gap|
 * @param mergedGapShare    share of gaps stamped less than 1 ms apart that the server wrote 10 ms or more apart
 * @param gaps              gaps compared
 * @param beforeSent        chunks stamped earlier after sending than the server wrote them after receiving;
 *                          causality says 0 (a TTFT error below 0)
 */
record ClientAccuracy(int completed, int failed, double medianTtftError, double p99TtftError, double meanItlError,
        double p99AbsItlError, double mergedGapShare, int gaps, int beforeSent) {

    private static final List<Double> PERCENTILES = List.of(50.0, 99.0);

    /**
     * @param result   the run's JSON, with the per-request arrays of {@code --detailed}
     * @param prompts  the prompt of each request, by index
     * @param byPrompt the server's streams, each prompt's last
     * @throws IllegalStateException if a completed request has no stream or another number of chunks
     */
    static ClientAccuracy of(JsonNode result, List<String> prompts, Map<String, SentStream> byPrompt) {
        JsonNode ttfts = result.path("ttfts");
        JsonNode itls = result.path("itls");
        JsonNode errors = result.path("errors");
        List<Double> ttftErrors = new ArrayList<>();
        List<Double> itlErrors = new ArrayList<>();
        List<Double> absItlErrors = new ArrayList<>();
        int merged = 0;
        int beforeSent = 0;
        int failed = 0;
        for (int i = 0; i < ttfts.size(); i++) {
            if (!errors.path(i).asText("").isEmpty()) {
                failed++;
                continue;
            }
            SentStream s = byPrompt.get(prompts.get(i));
            JsonNode gaps = itls.path(i);
            if (s == null || s.outputChunkNanos().size() != gaps.size() + 1) {
                throw new IllegalStateException("request " + i + ": the server's record does not match its "
                        + (gaps.size() + 1) + " chunks: " + s);
            }
            List<Long> written = s.outputChunkNanos();
            double ttftError = ttfts.path(i).asDouble() * 1e3 - (written.get(0) - s.receivedNanos()) / 1e6;
            ttftErrors.add(ttftError);
            beforeSent += ttftError < 0 ? 1 : 0;
            for (int k = 1; k < written.size(); k++) {
                double client = gaps.path(k - 1).asDouble() * 1e3;
                double server = (written.get(k) - written.get(k - 1)) / 1e6;
                itlErrors.add(client - server);
                if (Boolean.getBoolean("harness.worst") && Math.abs(client - server) > 2) {
                    System.err.printf("worst gap: request %d, gap %d of %d: client %.3f ms, server %.3f ms%n", i,
                            k, written.size() - 1, client, server);
                }
                absItlErrors.add(Math.abs(client - server));
                merged += client < 1 && server >= 10 ? 1 : 0;
            }
        }
        LatencyStats ttft = stats(ttftErrors);
        return new ClientAccuracy(ttftErrors.size(), failed, ttft.medianMillis(), ttft.percentileMillis(99),
                stats(itlErrors).meanMillis(), stats(absItlErrors).percentileMillis(99),
                itlErrors.isEmpty() ? 0 : (double) merged / itlErrors.size(), itlErrors.size(), beforeSent);
    }

    private static LatencyStats stats(List<Double> values) {
        return LatencyStats.of(values.stream().mapToDouble(Double::doubleValue).toArray(), PERCENTILES);
    }
}
