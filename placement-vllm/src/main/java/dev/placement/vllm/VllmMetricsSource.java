package dev.placement.vllm;

import dev.placement.api.MetricsSample;
import dev.placement.api.MetricsSource;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Measures a running pipeline from vLLM's Prometheus endpoint ({@code GET /metrics}): each call scrapes once and
 * turns the histogram deltas since the previous call for the same pipeline (or since the pipeline started,
 * the first time) into mean, p50 and p99 TTFT, ITL and TPOT, and output throughput from
 * {@code vllm:generation_tokens_total}.
 *
 * <p>Metric names: {@code vllm:time_to_first_token_seconds}, {@code vllm:inter_token_latency_seconds} (before
 * vLLM 0.11: {@code vllm:time_per_output_token_seconds}), {@code vllm:request_time_per_output_token_seconds}
 * (falls back to ITL when absent), {@code vllm:generation_tokens_total}; series are summed over their labels.
 * A counter that went down (a restarted server) restarts the interval from zero.
 *
 * <p>Thread-safe: the previous scrape of each pipeline is kept in a concurrent map.
 */
public final class VllmMetricsSource implements MetricsSource {

    static final String TTFT = "vllm:time_to_first_token_seconds";
    static final String ITL = "vllm:inter_token_latency_seconds";
    static final String ITL_OLD = "vllm:time_per_output_token_seconds";
    static final String TPOT = "vllm:request_time_per_output_token_seconds";
    static final String GENERATION_TOKENS = "vllm:generation_tokens_total";

    private record Scrape(Instant at, PrometheusText metrics) {
    }

    private final VllmEndpoint endpoint;
    private final Clock clock;
    private final Map<String, Scrape> previous = new ConcurrentHashMap<>();

    private VllmMetricsSource(Builder b) {
        HttpClient http = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.requestTimeout).build();
        this.endpoint = new VllmEndpoint(http, b.requestTimeout);
        this.clock = b.clock;
    }

    /** @return a builder with a 10 s request timeout and the UTC system clock */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@inheritDoc}
     *
     * @return the interval's means, or empty if no request got its first token in the interval
     */
    @Override
    public Optional<MetricsSample> sample(RunningPipeline pipeline) {
        return measure(pipeline).filter(m -> m.requestsCompleted() > 0)
                .map(m -> MetricsSample.of(m.toPipelineMetrics()));
    }

    /**
     * Scrapes {@code /metrics} and summarises the interval since the previous call for this pipeline.
     *
     * @param pipeline the running pipeline
     * @return the interval's metrics (possibly with no requests); empty only if this is impossible to say
     * @throws PlacementException if {@code /metrics} cannot be read or parsed
     */
    public Optional<VllmIntervalMetrics> measure(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        String text;
        try {
            text = endpoint.metricsText(pipeline.endpoint()).orElseThrow(() -> new PlacementException(
                    "cannot read vLLM metrics at " + pipeline.endpoint().resolve("/metrics")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted while reading vLLM metrics", e);
        }
        PrometheusText now;
        try {
            now = PrometheusText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new PlacementException("vLLM metrics at " + pipeline.endpoint() + ": " + e.getMessage(), e);
        }
        Scrape current = new Scrape(clock.instant(), now);
        Scrape before = previous.put(pipeline.id(), current);
        if (before == null) {
            before = new Scrape(pipeline.startedAt(), PrometheusText.empty());
        }
        return Optional.of(between(before.at(), before.metrics(), current.at(), now));
    }

    /**
     * Summarises the interval between two scrapes.
     *
     * @return the interval's metrics
     */
    static VllmIntervalMetrics between(Instant start, PrometheusText earlier, Instant end, PrometheusText later) {
        if (later.sum(GENERATION_TOKENS) < earlier.sum(GENERATION_TOKENS)
                || later.histogram(TTFT).count() < earlier.histogram(TTFT).count()) {
            earlier = PrometheusText.empty();
        }
        PrometheusText.Histogram ttft = later.histogram(TTFT).minus(earlier.histogram(TTFT));
        String itlName = later.has(ITL + "_count") ? ITL : ITL_OLD;
        PrometheusText.Histogram itl = later.histogram(itlName).minus(earlier.histogram(itlName));
        PrometheusText.Histogram tpot = later.has(TPOT + "_count")
                ? later.histogram(TPOT).minus(earlier.histogram(TPOT)) : itl;
        double tokens = Math.max(0, later.sum(GENERATION_TOKENS) - earlier.sum(GENERATION_TOKENS));
        double seconds = Duration.between(start, end).toNanos() / 1e9;
        double throughput = seconds > 0 ? tokens / seconds : Double.NaN;
        return new VllmIntervalMetrics(start, end, Math.round(ttft.count()), Math.round(tokens), millis(ttft),
                millis(itl), millis(tpot), throughput);
    }

    private static VllmIntervalMetrics.Distribution millis(PrometheusText.Histogram h) {
        return new VllmIntervalMetrics.Distribution(h.mean() * 1000, h.quantile(0.5) * 1000,
                h.quantile(0.99) * 1000);
    }

    /** Configures a {@link VllmMetricsSource}; not thread-safe. */
    public static final class Builder {
        private HttpClient httpClient;
        private Clock clock = Clock.systemUTC();
        private Duration requestTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * @param client the HTTP client; default a new client
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /**
         * @param clock the clock that timestamps scrapes (throughput divides by their difference)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param timeout per scrape; default 10 s
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Polling.requirePositive(timeout, "requestTimeout");
            return this;
        }

        /** @return the metrics source */
        public VllmMetricsSource build() {
            return new VllmMetricsSource(this);
        }
    }
}
