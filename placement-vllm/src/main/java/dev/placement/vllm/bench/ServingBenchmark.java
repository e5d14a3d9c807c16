package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.MetricsSample;
import dev.placement.api.MetricsSource;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.PlacementException;
import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A load generator and measurer for any OpenAI-compatible server (vLLM, SGLang, llama.cpp, ...): it sends
 * streaming requests to {@code /v1/completions} or {@code /v1/chat/completions} and measures TTFT, TPOT, ITL,
 * E2EL, throughput and, given objectives, goodput exactly as {@code vllm bench serve} defines them (see
 * {@link RequestRecord}, {@link GoodputSlo} and {@link BenchmarkResult}).
 *
 * <p>Requests ask for {@code stream_options.include_usage} so that output token counts are the server's own.
 * Load is open loop at a request rate (Poisson arrivals from a seeded generator, as vLLM schedules them),
 * closed loop at a maximum concurrency, or both. Every chunk is timed with {@link System#nanoTime()} the moment
 * the read that brought its bytes returns, on the stream's own thread (a blocking read, one thread per stream),
 * before any parsing. A request that gets an HTTP error, an error event, no {@code [DONE]}, or no end within
 * the request timeout is counted as failed with its reason; it never stops or hangs the run.
 *
 * <pre>{@code
 * BenchmarkResult r = ServingBenchmark.builder()
 *         .baseUrl(URI.create("http://10.0.0.10:8000"))
 *         .model("tiiuae/Falcon3-10B-Base")
 *         .numPrompts(200).maxConcurrency(16).inputTokens(512).outputTokens(128)
 *         .build()
 *         .run();
 * System.out.println(r.toJson(false));   // mean_ttft_ms, median_itl_ms, p99_tpot_ms, output_throughput, ...
 * }</pre>
 *
 * <p>As a {@link MetricsSource} it runs the configured benchmark against {@link RunningPipeline#endpoint()}
 * (ignoring the builder's base URL): configure it as a short probe, for example 16 prompts at concurrency 4
 * with 64 output tokens, so that sampling takes seconds. Each sample carries the workload the probe served
 * ({@link BenchmarkResult#servedWorkload()}), which is the probe's own traffic, not the pipeline's users'.
 *
 * <p>Immutable and thread-safe; runs may overlap. The library prints nothing: pass a {@link BenchmarkListener}
 * such as a progress bar to see progress.
 */
public final class ServingBenchmark implements MetricsSource {
    private final BenchmarkConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final Duration connectTimeout;
    private final Transport transport;
    private HttpClient client;

    private ServingBenchmark(BenchmarkConfig config) {
        this.config = config;
        Duration requestTimeout = config.requestTimeout();
        this.connectTimeout = requestTimeout.compareTo(Duration.ofSeconds(10)) < 0
                ? requestTimeout : Duration.ofSeconds(10);
        this.transport = Transports.chosen(System.getProperty("placement.bench.transport", "socket"),
                connectTimeout, json, this::client);
    }

    /** The JDK client, made on first use: only the model list, or the JDK transport, needs it. */
    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    // Run the client's internal tasks, and so our chunk parsing and timing, on the thread that
                    // read the bytes (the client's selector thread) instead of handing each read to a pool.
                    .executor(Runnable::run)
                    .connectTimeout(connectTimeout)
                    .build();
        }
        return client;
    }

    /** @return a builder with {@code vllm bench serve}'s defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the benchmark against the builder's base URL and waits for it. If this thread is interrupted, the
     * run is cancelled and what it measured so far is returned (marked interrupted; the interrupt flag stays
     * set).
     *
     * @return the result; requests that failed are counted in it, not thrown
     * @throws IllegalStateException if the builder was given no base URL
     * @throws PlacementException    if the model name was not given and the server's model list cannot be read
     */
    public BenchmarkResult run() {
        return run(new BenchmarkListener() { });
    }

    /**
     * Runs the benchmark and waits for it, telling a listener about progress.
     *
     * @param listener hears about every finished request; see {@link BenchmarkListener} for threading
     * @return the result
     * @throws IllegalStateException if the builder was given no base URL
     * @throws PlacementException    if the model name was not given and the server's model list cannot be read
     */
    public BenchmarkResult run(BenchmarkListener listener) {
        return await(start(listener));
    }

    /**
     * Starts the benchmark against the builder's base URL without waiting, so that the caller can show
     * progress, look at partial results or cancel it (for example from a Ctrl-C handler).
     *
     * @param listener hears about progress; see {@link BenchmarkListener} for threading
     * @return the running benchmark
     * @throws IllegalStateException if the builder was given no base URL
     * @throws PlacementException    if the model name was not given and the server's model list cannot be read
     */
    public BenchmarkRun start(BenchmarkListener listener) {
        if (config.baseUrl() == null) {
            throw new IllegalStateException("ServingBenchmark: no base URL; call builder().baseUrl(...) or use "
                    + "sample(pipeline)");
        }
        return start(config.baseUrl(), listener);
    }

    /**
     * Runs the configured benchmark as a short active probe of a running pipeline, at its endpoint.
     *
     * @param pipeline the pipeline; its {@code endpoint()} is the server's base URL
     * @return the mean TTFT, ITL and TPOT and the output throughput, {@link PipelineMetrics.Source#MEASURED}, with
     *     the workload the probe served (mean prompt tokens, as the server counted them where it reported usage,
     *     mean answer tokens, the most requests in flight at once; see {@link BenchmarkResult#servedWorkload()});
     *     never empty
     * @throws PlacementException if no request of the probe completed (the message gives the reasons), the model
     *     list cannot be read, or this thread is interrupted
     */
    @Override
    public Optional<MetricsSample> sample(RunningPipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline must not be null");
        URI target = BenchmarkConfig.normalise(pipeline.endpoint());
        BenchmarkResult result = await(start(target, new BenchmarkListener() { }));
        if (result.interrupted()) {
            throw new PlacementException("serving probe of " + target + " was interrupted");
        }
        if (result.completed() == 0) {
            throw new PlacementException("serving probe of " + target + ": all " + result.failed()
                    + " requests failed: " + result.failureSummary());
        }
        return Optional.of(new MetricsSample(result.toPipelineMetrics(), result.servedWorkload().orElse(null)));
    }

    private BenchmarkRun start(URI target, BenchmarkListener listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        String modelName = config.model() != null ? config.model()
                : ServedModel.first(client(), json, target, config.apiKey());
        BenchmarkRun run = new BenchmarkRun(config.settings(target, modelName), config.promptsForRun(), transport, json,
                config.apiKey(), config.clock(), config.warmupRequests(), listener);
        run.begin();
        return run;
    }

    private static BenchmarkResult await(BenchmarkRun run) {
        try {
            return run.awaitResult();
        } catch (InterruptedException e) {
            run.cancel();
            Thread.currentThread().interrupt();
            return run.snapshot();
        }
    }

    /**
     * Configures a {@link ServingBenchmark}. Defaults are those of {@code vllm bench serve} with its random
     * dataset: 1000 prompts of 1024 tokens, 128 output tokens, every request sent at once with no concurrency
     * limit, seed 0, the completions endpoint, p99. Not thread-safe.
     */
    public static final class Builder {
        private URI baseUrl;
        private String model;
        private BenchmarkEndpoint endpoint = BenchmarkEndpoint.COMPLETIONS;
        private int numPrompts = 1000;
        private double requestRatePerSecond = Double.POSITIVE_INFINITY;
        private int maxConcurrency;
        private int inputTokens = 1024;
        private List<BenchmarkPrompt> prompts;
        private int outputTokens = 128;
        private boolean ignoreEos;
        private long seed;
        private List<Double> percentiles = List.of(99.0);
        private GoodputSlo goodput;
        private Duration requestTimeout = Duration.ofMinutes(5);
        private int warmupRequests = 1;
        private String apiKey;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * @param baseUrl the server's base URL, for example {@code http://10.0.0.10:8000} (a trailing {@code /v1}
         *                is accepted); http or https; required for {@link #run()}, not for {@link #sample}
         * @return this builder
         */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl must not be null");
            return this;
        }

        /**
         * @param model the model name to send; {@code null} (the default) asks the server's {@code /v1/models}
         *              for its first model
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * @param endpoint the API; default {@link BenchmarkEndpoint#COMPLETIONS}
         * @return this builder
         */
        public Builder endpoint(BenchmarkEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint must not be null");
            return this;
        }

        /**
         * @param numPrompts how many requests to send; &ge; 1; default 1000
         * @return this builder
         */
        public Builder numPrompts(int numPrompts) {
            this.numPrompts = numPrompts;
            return this;
        }

        /**
         * @param requestsPerSecond open-loop Poisson arrival rate; {@code Double.POSITIVE_INFINITY} (the
         *                          default) sends every request at once
         * @return this builder
         */
        public Builder requestRate(double requestsPerSecond) {
            this.requestRatePerSecond = requestsPerSecond;
            return this;
        }

        /**
         * @param maxConcurrency the most requests in flight at once (closed loop); 0 (the default) for no limit
         * @return this builder
         */
        public Builder maxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /**
         * @param inputTokens the length in tokens of synthetic prompts; &ge; 1; default 1024; ignored when
         *                    {@link #prompts} are given
         * @return this builder
         */
        public Builder inputTokens(int inputTokens) {
            this.inputTokens = inputTokens;
            return this;
        }

        /**
         * @param prompts the prompts to send in order, repeated if fewer than {@link #numPrompts}; for example
         *                from {@link BenchmarkPrompt#readJsonl}; {@code null} (the default) for synthetic prompts
         * @return this builder
         */
        public Builder prompts(List<BenchmarkPrompt> prompts) {
            this.prompts = prompts == null ? null : List.copyOf(prompts);
            return this;
        }

        /**
         * @param outputTokens {@code max_tokens} of each request; &ge; 1; default 128
         * @return this builder
         */
        public Builder outputTokens(int outputTokens) {
            this.outputTokens = outputTokens;
            return this;
        }

        /**
         * @param ignoreEos whether to send {@code ignore_eos: true} so that every request generates exactly
         *                  {@code outputTokens} tokens (vLLM and SGLang support it; OpenAI rejects it); default false
         * @return this builder
         */
        public Builder ignoreEos(boolean ignoreEos) {
            this.ignoreEos = ignoreEos;
            return this;
        }

        /**
         * @param seed the seed of arrival times and synthetic prompts; default 0
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param percentiles percentiles to report for every metric, each in [0, 100]; 99 is always reported
         * @return this builder
         */
        public Builder percentiles(Collection<Double> percentiles) {
            this.percentiles = List.copyOf(percentiles);
            return this;
        }

        /**
         * @param goodput the service level objectives of goodput ({@link BenchmarkResult#requestGoodput()}), as
         *                {@code vllm bench serve --goodput} sets them, for example
         *                {@code GoodputSlo.parse("ttft:500 tpot:50")}; {@code null} (the default) measures no goodput
         * @return this builder
         */
        public Builder goodput(GoodputSlo goodput) {
            this.goodput = goodput;
            return this;
        }

        /**
         * @param requestTimeout how long one request may take from sending to {@code [DONE]} before it is
         *                       counted as failed and aborted; positive; default 5 minutes
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout must not be null");
            return this;
        }

        /**
         * @param warmupRequests how many untimed requests to send at once before the run, to load and compile
         *                       the client's code and open connections (the first prompt each time, at most 16
         *                       output tokens); &ge; 0; default 1, like the initial test request of
         *                       {@code vllm bench serve}; {@code placement bench} sends a wave as wide as the run
         * @return this builder
         */
        public Builder warmupRequests(int warmupRequests) {
            this.warmupRequests = warmupRequests;
            return this;
        }

        /**
         * @param apiKey a bearer token for the server, or {@code null} (the default) for none; never logged or
         *               printed
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * @param clock where the result's date comes from; default UTC system clock (latencies always use
         *              {@link System#nanoTime()})
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * @return the benchmark
         * @throws IllegalArgumentException naming the setting and its value if one is out of range
         */
        public ServingBenchmark build() {
            return new ServingBenchmark(new BenchmarkConfig(baseUrl, model, endpoint, numPrompts,
                    requestRatePerSecond, maxConcurrency, inputTokens, prompts, outputTokens, ignoreEos, seed,
                    percentiles, goodput, requestTimeout, warmupRequests, apiKey, clock));
        }
    }
}
