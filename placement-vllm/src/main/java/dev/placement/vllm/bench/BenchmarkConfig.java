package dev.placement.vllm.bench;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * What a {@link ServingBenchmark} was built with, validated once: everything a run needs except the target
 * and the model name, which each run resolves. The base URL is normalised (no trailing {@code /} or
 * {@code /v1}) and 99 is always among the percentiles. Immutable; {@link #toString()} hides the API key.
 * The components are the settings of {@link ServingBenchmark.Builder}, documented there; those that may be
 * {@code null}:
 *
 * @param baseUrl              the server's base URL, or {@code null} for a benchmark used only as a probe
 * @param model                the model name, or {@code null} to ask the server
 * @param prompts              the prompts to send, or {@code null} for synthetic ones of {@code inputTokens}
 * @param goodput              the objectives of goodput, or {@code null} to measure none
 * @param apiKey               the bearer token, or {@code null} for none
 */
record BenchmarkConfig(URI baseUrl, String model, BenchmarkEndpoint endpoint, int numPrompts,
        double requestRatePerSecond, int maxConcurrency, int inputTokens, List<BenchmarkPrompt> prompts,
        int outputTokens, boolean ignoreEos, long seed, List<Double> percentiles, GoodputSlo goodput,
        Duration requestTimeout, int warmupRequests, String apiKey, Clock clock) {

    /**
     * Checks every setting, naming it and its value.
     *
     * @throws IllegalArgumentException if one is out of range
     */
    BenchmarkConfig {
        if (baseUrl != null) {
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl '" + baseUrl + "' is not an http(s) URL with a "
                        + "host, like http://10.0.0.10:8000");
            }
        }
        if (model != null && model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank; pass null to ask the server");
        }
        require(numPrompts >= 1, "numPrompts must be at least 1, was " + numPrompts);
        require(requestRatePerSecond > 0, "requestRate must be positive or infinite, was " + requestRatePerSecond);
        require(maxConcurrency >= 0, "maxConcurrency must be 0 (no limit) or more, was " + maxConcurrency);
        require(inputTokens >= 1, "inputTokens must be at least 1, was " + inputTokens);
        require(prompts == null || !prompts.isEmpty(), "prompts must not be empty");
        require(outputTokens >= 1, "outputTokens must be at least 1, was " + outputTokens);
        require(!requestTimeout.isNegative() && !requestTimeout.isZero(),
                "requestTimeout must be positive, was " + requestTimeout);
        require(warmupRequests >= 0, "warmupRequests must not be negative, was " + warmupRequests);
        // Checked here, naming no character of it, so that the HTTP client never rejects it mid-run.
        require(apiKey == null || apiKey.chars().allMatch(c -> c > 0x20 && c < 0x7f),
                "apiKey must be printable ASCII without spaces");
        percentiles.forEach(LatencyStats::checkPercentile);
        baseUrl = baseUrl == null ? null : normalise(baseUrl);
        prompts = prompts == null ? null : List.copyOf(prompts);
        TreeSet<Double> wanted = new TreeSet<>(percentiles);
        wanted.add(99.0);
        percentiles = List.copyOf(wanted);
    }

    /** Accepts {@code http://host:8000}, {@code http://host:8000/} and {@code http://host:8000/v1}. */
    static URI normalise(URI url) {
        String s = url.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith("/v1")) {
            s = s.substring(0, s.length() - 3);
        }
        return URI.create(s);
    }

    /** @return the settings of a run against {@code target} with the model name resolved */
    BenchmarkSettings settings(URI target, String modelName) {
        return new BenchmarkSettings(target, modelName, endpoint, numPrompts, requestRatePerSecond,
                maxConcurrency, outputTokens, ignoreEos, seed, percentiles, goodput, requestTimeout);
    }

    /** The run's prompts: the given ones in order, repeated if there are fewer than requests, or synthetic. */
    List<BenchmarkPrompt> promptsForRun() {
        if (prompts == null) {
            return BenchmarkPrompt.synthetic(numPrompts, inputTokens, seed);
        }
        List<BenchmarkPrompt> chosen = new ArrayList<>(numPrompts);
        for (int i = 0; i < numPrompts; i++) {
            chosen.add(prompts.get(i % prompts.size()));
        }
        return chosen;
    }

    /** Says which settings these are without the API key, which must never reach a log. */
    @Override
    public String toString() {
        return "BenchmarkConfig[baseUrl=" + baseUrl + ", model=" + model + ", endpoint=" + endpoint
                + ", numPrompts=" + numPrompts + ", requestRatePerSecond=" + requestRatePerSecond
                + ", maxConcurrency=" + maxConcurrency + ", outputTokens=" + outputTokens
                + ", apiKey=" + (apiKey == null ? "none" : "***") + "]";
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
