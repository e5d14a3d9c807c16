package dev.placement.vllm;

import dev.placement.api.MetricsSample;
import dev.placement.api.MetricsSource;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import dev.placement.api.Workload;
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
 * <p>It also reports the workload the interval served ({@link VllmIntervalMetrics#workload()}): the mean prompt
 * and answer lengths of the requests that finished in the interval, from the deltas of the histograms
 * {@code vllm:request_prompt_tokens} and {@code vllm:request_generation_tokens} ({@code _sum / _count}), and
 * the requests in flight at the later scrape, {@code vllm:num_requests_running + vllm:num_requests_waiting}.
 * Each is rounded to a whole number, at least 1. The workload is {@code null} when no request finished in the
 * interval, or when the server lacks either histogram or {@code vllm:num_requests_running} (older vLLM).
 *
 * <p>Thread-safe: the previous scrape of each pipeline is kept in a concurrent map.
 */
public final class VllmMetricsSource implements MetricsSource {

    static final String TTFT = "vllm:time_to_first_token_seconds";
    static final String ITL = "vllm:inter_token_latency_seconds";
    static final String ITL_OLD = "vllm:time_per_output_token_seconds";
    static final String TPOT = "vllm:request_time_per_output_token_seconds";
    static final String GENERATION_TOKENS = "vllm:generation_tokens_total";
    // As vllm/v1/metrics/loggers.py (PrometheusStatLogger) defines them, the same in vllm-project/vllm at
    // a6f0308c and 005a810b and in a later copy: the two histograms are observed once per finished request
    // (its num_prompt_tokens, num_generation_tokens), the two gauges set from SchedulerStats at every step.
    // Only the later copies add the engine label; summing over labels serves both.
    static final String PROMPT_TOKENS = "vllm:request_prompt_tokens";
    static final String ANSWER_TOKENS = "vllm:request_generation_tokens";
    static final String RUNNING = VllmEndpoint.RUNNING_GAUGE;
    static final String WAITING = "vllm:num_requests_waiting";

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
     * @return the interval's means and the workload it served ({@code null} when unknown, see the class
     *         comment), or empty if no request got its first token in the interval
     */
    @Override
    public Optional<MetricsSample> sample(RunningPipeline pipeline) {
        return measure(pipeline).filter(m -> m.requestsCompleted() > 0).map(VllmIntervalMetrics::toMetricsSample);
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
                millis(itl), millis(tpot), throughput, servedWorkload(earlier, later));
    }

    /**
     * The workload of the requests that finished between two scrapes, with the requests in flight at the later.
     *
     * <p>In flight counts {@code vllm:num_requests_waiting} as well as running: the workload's concurrency is the
     * load the clients offer, and the running count is capped by the current placement ({@code --max-num-seqs},
     * its KV-cache capacity), so running alone would make a placement that queues look as if it served a lighter
     * load. Preempted requests go back to waiting ({@code vllm/v1/core/sched/scheduler.py}) and are still in
     * flight for their clients. A server without the waiting gauge counts it as 0. Gauges have no history
     * between scrapes, so the later value stands for the load the next placement meets.
     *
     * @return the workload, or {@code null} if no request finished in the interval or the metrics are absent
     */
    static Workload servedWorkload(PrometheusText earlier, PrometheusText later) {
        PrometheusText.Histogram prompts = later.histogram(PROMPT_TOKENS).minus(earlier.histogram(PROMPT_TOKENS));
        PrometheusText.Histogram answers = later.histogram(ANSWER_TOKENS).minus(earlier.histogram(ANSWER_TOKENS));
        if (prompts.count() <= 0 || answers.count() <= 0 || !later.has(RUNNING)) {
            return null;
        }
        return new Workload(atLeastOne(prompts.mean()), atLeastOne(answers.mean()),
                atLeastOne(later.sum(RUNNING) + later.sum(WAITING)));
    }

    private static int atLeastOne(double value) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.round(value)));
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
