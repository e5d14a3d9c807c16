package dev.placement.vllm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Workload;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The outcome of a serving benchmark: per-request records and the statistics {@code vllm bench serve}
 * reports, computed the same way. Only completed requests enter the latency statistics, the token totals and
 * goodput; throughputs and goodput are over the wall time of the whole run.
 *
 * @param settings                 what the run did
 * @param date                     when the run ended (or was interrupted)
 * @param durationSeconds          wall time from the first request's scheduled start to the last request's
 *                                 end (or to the interruption), in seconds
 * @param interrupted              whether the run was cancelled before every request finished (requests still
 *                                 in flight then are in neither {@code completed} nor {@code failed})
 * @param records                  every finished request, ordered by index; copied
 * @param completed                requests that completed
 * @param failed                   requests that failed
 * @param totalInputTokens         prompt tokens of completed requests
 * @param totalOutputTokens        output tokens of completed requests
 * @param ttft                     time to first token
 * @param tpot                     time per output token excluding the first, one sample per completed request with
 *                                 more than one output token
 * @param itl                      inter-token latency, one sample per output chunk after the first
 * @param e2el                     end-to-end latency
 * @param failureCounts            failed requests by reason; copied
 * @param maxOutputTokensPerSecond the most output chunks in any one-second bucket of the run (vLLM's
 *                                 {@code max_output_tokens_per_s})
 * @param maxConcurrentRequests    the most completed requests that were in flight at one moment
 */
public record BenchmarkResult(BenchmarkSettings settings, Instant date, double durationSeconds,
        boolean interrupted, List<RequestRecord> records, int completed, int failed, long totalInputTokens,
        long totalOutputTokens, LatencyStats ttft, LatencyStats tpot, LatencyStats itl, LatencyStats e2el,
        Map<FailureKind, Integer> failureCounts, double maxOutputTokensPerSecond, int maxConcurrentRequests) {

    private static final double NANOS_PER_MILLI = 1e6;
    private static final DateTimeFormatter VLLM_DATE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    /**
     * Validates and copies.
     *
     * @param settings                 what the run did; not null
     * @param date                     when the run ended (or was interrupted); not null
     * @param durationSeconds          wall time of the run, in seconds; &ge; 0
     * @param interrupted              whether the run was cancelled before every request finished
     * @param records                  every finished request, ordered by index; not null
     * @param completed                requests that completed; &ge; 0
     * @param failed                   requests that failed; &ge; 0
     * @param totalInputTokens         prompt tokens of completed requests
     * @param totalOutputTokens        output tokens of completed requests
     * @param ttft                     time to first token; not null
     * @param tpot                     time per output token excluding the first; not null
     * @param itl                      inter-token latency; not null
     * @param e2el                     end-to-end latency; not null
     * @param failureCounts            failed requests by reason; not null
     * @param maxOutputTokensPerSecond the most output chunks in any one-second bucket of the run
     * @param maxConcurrentRequests    the most completed requests that were in flight at one moment
     */
    public BenchmarkResult {
        Objects.requireNonNull(settings, "result.settings must not be null");
        Objects.requireNonNull(date, "result.date must not be null");
        Objects.requireNonNull(ttft, "result.ttft must not be null");
        Objects.requireNonNull(tpot, "result.tpot must not be null");
        Objects.requireNonNull(itl, "result.itl must not be null");
        Objects.requireNonNull(e2el, "result.e2el must not be null");
        if (!(durationSeconds >= 0) || completed < 0 || failed < 0) {
            throw new IllegalArgumentException("result: duration and counts must not be negative");
        }
        records = List.copyOf(records);
        Map<FailureKind, Integer> counts = new EnumMap<>(FailureKind.class);
        counts.putAll(Objects.requireNonNull(failureCounts, "result.failureCounts must not be null"));
        failureCounts = Collections.unmodifiableMap(counts);
    }

    /**
     * Computes the statistics of finished requests.
     *
     * @param settings      what the run did
     * @param date          when it ended
     * @param durationNanos its wall time in ns
     * @param interrupted   whether it was cancelled early
     * @param records       the finished requests, in any order
     * @return the result
     */
    public static BenchmarkResult of(BenchmarkSettings settings, Instant date, long durationNanos,
            boolean interrupted, List<RequestRecord> records) {
        List<RequestRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingInt(RequestRecord::index));
        List<Double> percentiles = settings.percentiles();
        int completed = 0;
        long inputTokens = 0;
        long outputTokens = 0;
        List<Double> ttfts = new ArrayList<>();
        List<Double> tpots = new ArrayList<>();
        List<Double> e2els = new ArrayList<>();
        int itlCount = 0;
        for (RequestRecord r : sorted) {
            if (r.succeeded()) {
                itlCount += r.itlNanos().size();
            }
        }
        double[] itls = new double[itlCount];
        int k = 0;
        Map<FailureKind, Integer> failures = new EnumMap<>(FailureKind.class);
        for (RequestRecord r : sorted) {
            if (!r.succeeded()) {
                failures.merge(r.failure(), 1, Integer::sum);
                continue;
            }
            completed++;
            inputTokens += r.inputTokens();
            outputTokens += r.outputTokens();
            ttfts.add(r.ttftNanos() / NANOS_PER_MILLI);
            e2els.add(r.e2elNanos() / NANOS_PER_MILLI);
            double tpot = r.tpotNanos();
            if (!Double.isNaN(tpot)) {
                tpots.add(tpot / NANOS_PER_MILLI);
            }
            for (long gap : r.itlNanos()) {
                itls[k++] = gap / NANOS_PER_MILLI;
            }
        }
        return new BenchmarkResult(settings, date, durationNanos / 1e9, interrupted, sorted, completed,
                sorted.size() - completed, inputTokens, outputTokens, LatencyStats.of(array(ttfts), percentiles),
                LatencyStats.of(array(tpots), percentiles), LatencyStats.of(itls, percentiles),
                LatencyStats.of(array(e2els), percentiles), failures, PeakLoad.outputChunksPerSecond(sorted),
                PeakLoad.concurrentRequests(sorted));
    }

    /** @return completed requests per second of wall time; 0 for a zero-length run */
    public double requestThroughput() {
        return perSecond(completed);
    }

    /**
     * vLLM's {@code good_completed}: the completed requests that met every objective of the settings'
     * {@link BenchmarkSettings#goodput() goodput} (see {@link GoodputSlo#isGood}).
     *
     * @return the count, or empty when the run had no goodput objectives
     */
    public OptionalInt goodCompleted() {
        GoodputSlo slo = settings.goodput();
        return slo == null ? OptionalInt.empty() : OptionalInt.of(slo.countGood(records));
    }

    /**
     * vLLM's {@code request_goodput}: {@link #goodCompleted()} per second of wall time ({@link #durationSeconds()}).
     *
     * @return good requests per second, 0 for a zero-length run; empty when the run had no goodput objectives
     */
    public OptionalDouble requestGoodput() {
        OptionalInt good = goodCompleted();
        return good.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(perSecond(good.getAsInt()));
    }

    /** @return output tokens of completed requests per second of wall time; 0 for a zero-length run */
    public double outputThroughput() {
        return perSecond(totalOutputTokens);
    }

    /** @return input plus output tokens of completed requests per second of wall time */
    public double totalTokenThroughput() {
        return perSecond(totalInputTokens + totalOutputTokens);
    }

    /**
     * The means of this run as the orchestrator's metrics.
     *
     * @return mean TTFT, mean ITL, mean TPOT and output throughput, marked {@link PipelineMetrics.Source#MEASURED}
     */
    public PipelineMetrics toPipelineMetrics() {
        return new PipelineMetrics(ttft.meanMillis(), itl.meanMillis(), tpot.meanMillis(), outputThroughput(),
                PipelineMetrics.Source.MEASURED);
    }

    /**
     * The workload this run served, for the orchestrator to plan under: the mean prompt and answer tokens of the
     * completed requests ({@link #totalInputTokens()} and {@link #totalOutputTokens()} over {@link #completed()}),
     * and the most completed requests in flight at once ({@link #maxConcurrentRequests()}: what the server really
     * held, which is the maximum concurrency of a closed-loop run unless it sent fewer prompts than that). Each is
     * rounded to a whole number, at least 1.
     *
     * @return the workload, or empty if no request completed
     */
    public Optional<Workload> servedWorkload() {
        if (completed == 0) {
            return Optional.empty();
        }
        return Optional.of(new Workload((int) Math.max(1, Math.round((double) totalInputTokens / completed)),
                (int) Math.max(1, Math.round((double) totalOutputTokens / completed)),
                Math.max(1, maxConcurrentRequests)));
    }

    /**
     * The result as {@code vllm bench serve --save-result} writes it: the same keys ({@code duration},
     * {@code completed}, {@code failed}, {@code total_input_tokens}, {@code total_output_tokens},
     * {@code request_throughput}, {@code request_goodput} ({@code null} without goodput objectives, as in vLLM),
     * {@code output_throughput}, {@code total_token_throughput},
     * {@code mean_ttft_ms}, {@code median_itl_ms}, {@code std_e2el_ms}, {@code p99_tpot_ms}, ...), plus
     * {@code failure_reasons} (count by reason), {@code interrupted} and the run's settings ({@code goodput}: the
     * objectives in ms by metric, or {@code null}).
     *
     * @param detailed whether to add the per-request arrays of {@code --save-detailed} ({@code input_lens},
     *                 {@code output_lens}, {@code ttfts}, {@code itls}, {@code latencies}, {@code start_times} in
     *                 seconds, {@code errors})
     * @return pretty-printed JSON
     */
    public String toJson(boolean detailed) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(jsonMap(detailed));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the benchmark result as JSON", e);
        }
    }

    /**
     * The result as {@link #toJson(boolean)} writes it, before it becomes text.
     *
     * @param detailed whether to add the per-request arrays of {@code --save-detailed}
     * @return the result as ordered key-value pairs with vLLM's keys
     */
    public Map<String, Object> jsonMap(boolean detailed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", VLLM_DATE.format(date.atZone(ZoneId.systemDefault())));
        m.put("endpoint_type", settings.endpoint().backend());
        m.put("backend", settings.endpoint().backend());
        m.put("label", null);
        m.put("model_id", settings.model());
        m.put("tokenizer_id", null);
        m.put("num_prompts", settings.numPrompts());
        m.put("request_rate", Double.isInfinite(settings.requestRatePerSecond()) ? "inf"
                : settings.requestRatePerSecond());
        m.put("burstiness", 1.0);
        m.put("max_concurrency", settings.maxConcurrency() == 0 ? null : settings.maxConcurrency());
        m.put("duration", durationSeconds);
        m.put("completed", completed);
        m.put("failed", failed);
        m.put("total_input_tokens", totalInputTokens);
        m.put("total_output_tokens", totalOutputTokens);
        m.put("request_throughput", requestThroughput());
        OptionalDouble goodput = requestGoodput();
        m.put("request_goodput", goodput.isPresent() ? goodput.getAsDouble() : null);
        m.put("output_throughput", outputThroughput());
        m.put("total_token_throughput", totalTokenThroughput());
        m.put("max_output_tokens_per_s", maxOutputTokensPerSecond);
        m.put("max_concurrent_requests", maxConcurrentRequests);
        putStats(m, "ttft", ttft);
        putStats(m, "tpot", tpot);
        putStats(m, "itl", itl);
        putStats(m, "e2el", e2el);
        Map<String, Integer> reasons = new LinkedHashMap<>();
        failureCounts.forEach((kind, count) -> reasons.put(kind.jsonName(), count));
        m.put("failure_reasons", reasons);
        m.put("interrupted", interrupted);
        m.put("base_url", settings.baseUrl().toString());
        m.put("endpoint", settings.endpoint().path());
        m.put("output_len", settings.outputTokens());
        m.put("ignore_eos", settings.ignoreEos());
        m.put("seed", settings.seed());
        m.put("goodput", settings.goodput() == null ? null : settings.goodput().toJsonMap());
        if (detailed) {
            m.put("input_lens", records.stream().map(RequestRecord::inputTokens).toList());
            m.put("output_lens", records.stream().map(RequestRecord::outputTokens).toList());
            m.put("ttfts", records.stream().map(r -> r.ttftNanos() / 1e9).toList());
            m.put("itls", records.stream().map(r -> r.itlNanos().stream().map(n -> n / 1e9).toList()).toList());
            m.put("latencies", records.stream().map(r -> r.e2elNanos() / 1e9).toList());
            m.put("start_times", records.stream().map(r -> r.startOffsetNanos() / 1e9).toList());
            m.put("errors", records.stream().map(RequestRecord::failureDetail).toList());
        }
        return m;
    }

    /**
     * The result as {@code vllm bench serve} prints it, plus standard deviations, the failure reasons and how many
     * completed requests had something unusual about their stream ({@link RequestRecord#note()}).
     *
     * @return several lines of text, ending with a newline
     */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append(centered(" Serving Benchmark Result ", '=')).append('\n');
        row(s, "Successful requests:", Integer.toString(completed));
        row(s, "Failed requests:", Integer.toString(failed));
        if (settings.maxConcurrency() > 0) {
            row(s, "Maximum request concurrency:", Integer.toString(settings.maxConcurrency()));
        }
        if (!Double.isInfinite(settings.requestRatePerSecond())) {
            row(s, "Request rate configured (RPS):", fixed(settings.requestRatePerSecond()));
        }
        row(s, "Benchmark duration (s):", fixed(durationSeconds));
        row(s, "Total input tokens:", Long.toString(totalInputTokens));
        row(s, "Total generated tokens:", Long.toString(totalOutputTokens));
        row(s, "Request throughput (req/s):", fixed(requestThroughput()));
        requestGoodput().ifPresent(goodput -> row(s, "Request goodput (req/s):", fixed(goodput)));
        row(s, "Output token throughput (tok/s):", fixed(outputThroughput()));
        row(s, "Peak output token throughput (tok/s):", fixed(maxOutputTokensPerSecond));
        row(s, "Peak concurrent requests:", fixed(maxConcurrentRequests));
        row(s, "Total Token throughput (tok/s):", fixed(totalTokenThroughput()));
        statsRows(s, "Time to First Token", "TTFT", ttft);
        statsRows(s, "Time per Output Token (excl. 1st token)", "TPOT", tpot);
        statsRows(s, "Inter-token Latency", "ITL", itl);
        statsRows(s, "End-to-end Latency", "E2EL", e2el);
        if (!failureCounts.isEmpty()) {
            s.append(centered("Failures", '-')).append('\n');
            failureCounts.forEach((kind, count) -> {
                String first = records.stream().filter(r -> r.failure() == kind).findFirst()
                        .map(RequestRecord::failureDetail).orElse("");
                s.append(kind.jsonName()).append(": ").append(count).append(" (first: ").append(first)
                        .append(")\n");
            });
        }
        List<RequestRecord> noted = records.stream().filter(r -> !r.note().isEmpty()).toList();
        if (!noted.isEmpty()) {
            s.append(centered("Completed, with a note", '-')).append('\n');
            s.append(noted.size()).append(" (first: ").append(noted.get(0).note()).append(")\n");
        }
        if (interrupted) {
            s.append("Interrupted: requests still in flight are not counted.\n");
        }
        s.append("=".repeat(50)).append('\n');
        return s.toString();
    }

    /** @return one line per failure reason with its count and first explanation; empty if none failed */
    public String failureSummary() {
        List<String> parts = new ArrayList<>();
        failureCounts.forEach((kind, count) -> parts.add(kind.jsonName() + " x" + count + " (first: "
                + records.stream().filter(r -> r.failure() == kind).findFirst().map(RequestRecord::failureDetail)
                        .orElse("") + ")"));
        return String.join("; ", parts);
    }

    private double perSecond(double count) {
        return durationSeconds > 0 ? count / durationSeconds : 0;
    }

    private static void putStats(Map<String, Object> m, String metric, LatencyStats stats) {
        m.put("mean_" + metric + "_ms", stats.meanMillis());
        m.put("median_" + metric + "_ms", stats.medianMillis());
        m.put("std_" + metric + "_ms", stats.stdMillis());
        stats.percentilesMillis().forEach((p, v) -> m.put(LatencyStats.percentileKey(p) + "_" + metric + "_ms", v));
    }

    private static void statsRows(StringBuilder s, String header, String name, LatencyStats stats) {
        s.append(centered(header, '-')).append('\n');
        row(s, "Mean " + name + " (ms):", fixed(stats.meanMillis()));
        row(s, "Median " + name + " (ms):", fixed(stats.medianMillis()));
        row(s, "Std " + name + " (ms):", fixed(stats.stdMillis()));
        stats.percentilesMillis().forEach((p, v) ->
                row(s, "P" + LatencyStats.percentileKey(p).substring(1) + " " + name + " (ms):", fixed(v)));
    }

    /** Python's {@code "{:^50}"} with a fill character: the extra padding goes to the right. */
    private static String centered(String text, char fill) {
        int pad = Math.max(0, 50 - text.length());
        int left = pad / 2;
        return String.valueOf(fill).repeat(left) + text + String.valueOf(fill).repeat(pad - left);
    }

    private static void row(StringBuilder s, String label, String value) {
        s.append(String.format(Locale.ROOT, "%-40s %-10s", label, value).stripTrailing()).append('\n');
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static double[] array(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
