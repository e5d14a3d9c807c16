package dev.placement.vllm;

import dev.placement.api.MetricsSample;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What vLLM's Prometheus histograms say about one interval between two scrapes: mean, p50 and p99 of time to
 * first token, inter-token latency and time per output token (from the histogram deltas, interpolated inside
 * buckets as Prometheus's {@code histogram_quantile} does), output throughput, and the workload served.
 *
 * @param start                 the earlier scrape (or the pipeline's start)
 * @param end                   the later scrape
 * @param requestsCompleted     requests whose first token arrived in the interval (TTFT observations); &ge; 0
 * @param outputTokens          output tokens generated in the interval; &ge; 0
 * @param ttft                  time to first token, ms
 * @param itl                   inter-token latency, ms
 * @param tpot                  time per output token, ms
 * @param outputTokensPerSecond output tokens over the interval's wall time
 * @param workload              the workload served: mean prompt and answer tokens of the requests that finished in
 *                              the interval, and the requests in flight (running or waiting) at the later scrape;
 *                              {@code null} if no request finished in the interval or the server does not export
 *                              the metrics (see {@link VllmMetricsSource})
 */
public record VllmIntervalMetrics(Instant start, Instant end, long requestsCompleted, long outputTokens,
        Distribution ttft, Distribution itl, Distribution tpot, double outputTokensPerSecond, Workload workload) {

    /**
     * Summary statistics of one latency in milliseconds; NaN when nothing was observed.
     *
     * @param meanMillis the mean
     * @param p50Millis  the median, interpolated within its bucket
     * @param p99Millis  the 99th percentile, interpolated within its bucket
     */
    public record Distribution(double meanMillis, double p50Millis, double p99Millis) {
    }

    /**
     * Validates the interval.
     *
     * @param start                 the earlier scrape (or the pipeline's start); not null
     * @param end                   the later scrape; not null, not before {@code start}
     * @param requestsCompleted     requests whose first token arrived in the interval
     * @param outputTokens          output tokens generated in the interval
     * @param ttft                  time to first token, ms; not null
     * @param itl                   inter-token latency, ms; not null
     * @param tpot                  time per output token, ms; not null
     * @param outputTokensPerSecond output tokens per second of the interval's wall time; NaN for an empty interval
     * @param workload              the workload served, or {@code null} if unknown
     */
    public VllmIntervalMetrics {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(ttft, "ttft");
        Objects.requireNonNull(itl, "itl");
        Objects.requireNonNull(tpot, "tpot");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("interval end " + end + " is before its start " + start);
        }
    }

    /** @return the interval's length */
    public Duration interval() {
        return Duration.between(start, end);
    }

    /**
     * @return the means as {@link PipelineMetrics} (measured); a latency with no observation counts as 0
     */
    public PipelineMetrics toPipelineMetrics() {
        return new PipelineMetrics(orZero(ttft.meanMillis()), orZero(itl.meanMillis()), orZero(tpot.meanMillis()),
                orZero(outputTokensPerSecond), PipelineMetrics.Source.MEASURED);
    }

    /**
     * @return the means as a {@link MetricsSample}, with the {@link #workload()} served ({@code null} if unknown)
     */
    public MetricsSample toMetricsSample() {
        return new MetricsSample(toPipelineMetrics(), workload);
    }

    private static double orZero(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? 0 : v;
    }
}
