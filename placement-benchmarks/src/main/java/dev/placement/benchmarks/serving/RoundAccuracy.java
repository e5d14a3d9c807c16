package dev.placement.benchmarks.serving;

import dev.placement.sim.LoopbackStreamingServer.SentStream;
import dev.placement.vllm.bench.BenchmarkPrompt;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.vllm.bench.LatencyStats;
import dev.placement.vllm.bench.RequestRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far one round's chunk timestamps are from the truth the loopback server recorded: for every output chunk
 * of every completed request, the client's time of the chunk after sending the request is held against the
 * server's time of writing it after receiving the request. All in ms.
 *
 * @param chunks           output chunks compared
 * @param meanAddedMillis  mean over chunks of what the client adds: (client stamp − sent) − (server write −
 *                         received), which is the request's transfer plus the chunk's delivery and stamping
 * @param p50AddedMillis   its median
 * @param p99AddedMillis   its 99th percentile
 * @param maxAddedMillis   its largest value
 * @param ttftAddedMillis  its mean over first chunks only: what the client adds to TTFT
 * @param itlErrorMillis   mean over gaps of (client ITL − the server's gap between the same two writes)
 * @param p99ItlErrorMillis 99th percentile of |client ITL − server gap|
 * @param mergedGapShare   share of gaps the client measured as 0 (two chunks in one read) although the server
 *                         wrote them apart
 * @param beforeSent       chunks the client put before the server wrote them; causality says 0
 */
record RoundAccuracy(int chunks, double meanAddedMillis, double p50AddedMillis, double p99AddedMillis,
        double maxAddedMillis, double ttftAddedMillis, double itlErrorMillis, double p99ItlErrorMillis,
        double mergedGapShare, int beforeSent) {

    private static final List<Double> PERCENTILES = List.of(50.0, 99.0);

    /**
     * @param prompts   the run's prompts, request i sent prompt i, each text different
     * @param byPrompt  the server's streams of this round's timed requests, by prompt text
     * @throws IllegalStateException if a completed request has no stream or another number of chunks
     */
    static RoundAccuracy of(BenchmarkResult result, List<BenchmarkPrompt> prompts, Map<String, SentStream> byPrompt) {
        List<Double> added = new ArrayList<>();
        List<Double> ttftAdded = new ArrayList<>();
        List<Double> itlErrors = new ArrayList<>();
        List<Double> itlAbsErrors = new ArrayList<>();
        int merged = 0;
        int beforeSent = 0;
        for (RequestRecord r : result.records()) {
            if (!r.succeeded()) {
                continue;
            }
            SentStream s = byPrompt.get(prompts.get(r.index()).text());
            if (s == null || s.outputChunkNanos().size() != r.itlNanos().size() + 1) {
                throw new IllegalStateException("request " + r.index() + ": the server's record does not match "
                        + "its " + (r.itlNanos().size() + 1) + " chunks: " + s);
            }
            List<Long> written = s.outputChunkNanos();
            long clientNanos = r.ttftNanos();
            for (int k = 0; k < written.size(); k++) {
                if (k > 0) {
                    long clientGap = r.itlNanos().get(k - 1);
                    long serverGap = written.get(k) - written.get(k - 1);
                    clientNanos += clientGap;
                    itlErrors.add((clientGap - serverGap) / 1e6);
                    itlAbsErrors.add(Math.abs(clientGap - serverGap) / 1e6);
                    if (clientGap == 0 && serverGap > 0) {
                        merged++;
                    }
                }
                long addedNanos = clientNanos - (written.get(k) - s.receivedNanos());
                beforeSent += addedNanos < 0 ? 1 : 0;
                added.add(addedNanos / 1e6);
                if (k == 0) {
                    ttftAdded.add(addedNanos / 1e6);
                }
            }
        }
        LatencyStats a = stats(added);
        return new RoundAccuracy(a.count(), a.meanMillis(), a.medianMillis(), a.percentileMillis(99),
                added.stream().mapToDouble(Double::doubleValue).max().orElse(0), stats(ttftAdded).meanMillis(),
                stats(itlErrors).meanMillis(), stats(itlAbsErrors).percentileMillis(99),
                itlErrors.isEmpty() ? 0 : (double) merged / itlErrors.size(), beforeSent);
    }

    private static LatencyStats stats(List<Double> values) {
        return LatencyStats.of(values.stream().mapToDouble(Double::doubleValue).toArray(), PERCENTILES);
    }
}
