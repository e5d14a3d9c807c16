package dev.placement.vllm.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a benchmark run did: where it sent its requests and how. Part of every {@link BenchmarkResult}.
 *
 * @param baseUrl              the server's base URL, without {@code /v1}, for example {@code http://10.0.0.10:8000}
 * @param model                the model name sent in every request
 * @param endpoint             the API used
 * @param numPrompts           how many requests the run sends; &ge; 1
 * @param requestRatePerSecond the open-loop arrival rate in requests per second, or
 *                             {@code Double.POSITIVE_INFINITY} to send every request at once (closed loop when
 *                             combined with a maximum concurrency)
 * @param maxConcurrency       the most requests in flight at once; 0 for no limit
 * @param outputTokens         {@code max_tokens} of every request; &ge; 1
 * @param ignoreEos            whether requests ask the server to ignore end-of-sequence ({@code ignore_eos}, vLLM)
 * @param seed                 the seed of the arrival times and of synthetic prompts
 * @param percentiles          the percentiles reported for every metric, ascending, each in [0, 100]; copied
 * @param goodput              the objectives of {@code request_goodput} ({@code --goodput}), or {@code null} when
 *                             the run measures no goodput
 * @param requestTimeout       how long one request may take from sending to {@code [DONE]}; positive
 */
public record BenchmarkSettings(URI baseUrl, String model, BenchmarkEndpoint endpoint, int numPrompts,
        double requestRatePerSecond, int maxConcurrency, int outputTokens, boolean ignoreEos, long seed,
        List<Double> percentiles, GoodputSlo goodput, Duration requestTimeout) {

    /**
     * Validates and copies.
     *
     * @param baseUrl              the server's base URL, without {@code /v1}; not null
     * @param model                the model name sent in every request; not null
     * @param endpoint             the API used; not null
     * @param numPrompts           how many requests the run sends; &ge; 1
     * @param requestRatePerSecond the open-loop arrival rate in requests per second; positive, or
     *                             {@code Double.POSITIVE_INFINITY} to send every request at once
     * @param maxConcurrency       the most requests in flight at once; &ge; 0, 0 for no limit
     * @param outputTokens         {@code max_tokens} of every request; &ge; 1
     * @param ignoreEos            whether requests ask the server to ignore end-of-sequence
     * @param seed                 the seed of the arrival times and of synthetic prompts
     * @param percentiles          the percentiles reported for every metric, each in [0, 100]; not null
     * @param goodput              the objectives of {@code request_goodput}, or {@code null} for no goodput
     * @param requestTimeout       how long one request may take from sending to {@code [DONE]}; positive
     */
    public BenchmarkSettings {
        Objects.requireNonNull(baseUrl, "settings.baseUrl must not be null");
        Objects.requireNonNull(model, "settings.model must not be null");
        Objects.requireNonNull(endpoint, "settings.endpoint must not be null");
        Objects.requireNonNull(requestTimeout, "settings.requestTimeout must not be null");
        if (numPrompts < 1) {
            throw new IllegalArgumentException("settings.numPrompts must be at least 1, was " + numPrompts);
        }
        if (!(requestRatePerSecond > 0)) {
            throw new IllegalArgumentException("settings.requestRatePerSecond must be positive or infinite, was "
                    + requestRatePerSecond);
        }
        if (maxConcurrency < 0) {
            throw new IllegalArgumentException("settings.maxConcurrency must be 0 (no limit) or more, was "
                    + maxConcurrency);
        }
        if (outputTokens < 1) {
            throw new IllegalArgumentException("settings.outputTokens must be at least 1, was " + outputTokens);
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("settings.requestTimeout must be positive, was " + requestTimeout);
        }
        percentiles = List.copyOf(Objects.requireNonNull(percentiles, "settings.percentiles must not be null"));
        percentiles.forEach(LatencyStats::checkPercentile);
    }
}
