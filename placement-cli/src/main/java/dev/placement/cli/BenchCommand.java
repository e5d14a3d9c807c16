package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.llm.http.ApiKey;
import dev.placement.llm.http.LlmHttpTransport;
import dev.placement.vllm.bench.BenchmarkEndpoint;
import dev.placement.vllm.bench.BenchmarkListener;
import dev.placement.vllm.bench.BenchmarkPrompt;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.vllm.bench.BenchmarkRun;
import dev.placement.vllm.bench.GoodputSlo;
import dev.placement.vllm.bench.ServingBenchmark;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement bench}: measures TTFT, TPOT, ITL, E2EL and throughput of an OpenAI-compatible server as
 * {@code vllm bench serve} does, and prints vLLM's report or its JSON keys. Ctrl-C prints what was measured so
 * far. Not thread-safe (picocli fills it once per run).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Benchmark a running OpenAI-compatible server as vllm bench serve does.",
        description = {"Benchmark a running OpenAI-compatible server (vLLM, SGLang, llama.cpp...) with",
            "streaming requests and report TTFT, TPOT, ITL, E2EL and throughput, defined and",
            "keyed as vllm bench serve does. With --goodput, also the completed requests per",
            "second that met every objective (request_goodput). Failed requests (HTTP errors,",
            "error events, streams cut before [DONE], timeouts) are counted by reason.",
            "Ctrl-C prints what has been measured so far. With --record, a completed run is",
            "appended to an observations file (what ran, the workload served, the means",
            "measured) for 'placement calibrate'."},
        footer = {"", "Examples:",
            "  placement bench --url http://10.0.0.10:8000 --num-prompts 200 \\",
            "      --model tiiuae/Falcon3-10B-Base --max-concurrency 16 \\",
            "      --input-len 512 --output-len 128",
            "  placement bench --url http://10.0.0.10:8000 --num-prompts 500 \\",
            "      --request-rate 4 --goodput ttft:500 tpot:50 --json > result.json",
            "  placement bench --url http://10.0.0.10:8000 --num-prompts 200 \\",
            "      --model tiiuae/Falcon3-10B-Base --max-concurrency 16 \\",
            "      --record runs.jsonl --cluster cluster.yaml --connectivity links.yaml \\",
            "      --placement node0:20,node1:20",
            "", "A server started with vllm serve --api-key needs its key: name the variable",
            "holding it with --api-key-env (e.g. OPENAI_API_KEY, which vllm bench serve",
            "sends). No key is sent otherwise, and none over plain http except to loopback.",
            "Exit codes: 0 at least one request completed, 1 none did, 2 bad options."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, paramLabel = "URL",
            description = "The server's base URL, e.g. http://10.0.0.10:8000.")
    String url;

    @Option(names = "--model", paramLabel = "NAME",
            description = "The model, sent as the request's model unless --served-model-name is given (default: "
                    + "the first model the server lists). With --record, a catalogue id or config.json path.")
    String model;

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "The name the server serves the model under, when it is not --model (as in vllm bench "
                    + "serve).")
    String servedModelName;

    @Mixin
    RecordingOptions recording = new RecordingOptions();

    @Option(names = "--endpoint", paramLabel = "API", defaultValue = "completions",
            description = "completions (/v1/completions, default) or chat (/v1/chat/completions).")
    String endpoint;

    @Option(names = "--num-prompts", required = true, paramLabel = "N", description = "How many requests to send.")
    int numPrompts;

    @Option(names = "--request-rate", paramLabel = "R",
            description = "Poisson arrivals at R requests/s (default inf: all at once). With --max-concurrency, "
                    + "arrivals also wait for a free slot, as in vllm bench serve.")
    String requestRate;

    @Option(names = "--max-concurrency", paramLabel = "C", description = "At most C requests in flight (closed loop).")
    Integer maxConcurrency;

    @Option(names = "--input-len", paramLabel = "N",
            description = "Tokens per synthetic prompt (default 1024); not with --prompts.")
    Integer inputLen;

    @Option(names = "--output-len", paramLabel = "N", defaultValue = "128",
            description = "max_tokens of each request (default 128).")
    int outputLen;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "A JSON Lines file of {\"prompt\": \"...\"} objects, used in order and repeated as needed.")
    Path prompts;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of arrival times and synthetic prompts (default 0).")
    long seed;

    @Option(names = "--percentiles", paramLabel = "P,P,...", defaultValue = "99",
            description = "Percentiles to report for every metric (default 99; 99 is always reported).")
    String percentiles;

    @Option(names = "--ignore-eos", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Send ignore_eos so every request yields --output-len tokens (default on; "
                    + "--no-ignore-eos for servers that reject it, such as OpenAI's).")
    boolean ignoreEos;

    @Option(names = "--api-key-env", paramLabel = "NAME",
            description = "The environment variable holding the key to send to --url as a bearer token, e.g. "
                    + "VLLM_API_KEY or OPENAI_API_KEY (default: no key). Refused over plain http except to loopback.")
    String apiKeyEnv;

    /** Read by tests; the process environment otherwise. */
    Map<String, String> environment = System.getenv();

    private static final int MAX_VARIABLE_NAME_CHARS = 128;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Per-request timeout; a request still streaming then fails (default 300).")
    double timeoutSeconds;

    @Option(names = "--num-warmups", paramLabel = "N",
            description = "Untimed requests sent at once before the run, to load and compile the client's code "
                    + "and open its connections (default: as many as the run has in flight at once, "
                    + "--max-concurrency, or --num-prompts at an infinite rate, else 16; at most --num-prompts).")
    Integer warmups;

    @Option(names = "--goodput", arity = "1..*", paramLabel = "KEY:VALUE",
            description = "Service level objectives in ms, as in vllm bench serve: space-separated pairs with keys "
                    + "ttft, tpot, e2el, e.g. --goodput ttft:500 tpot:50. Reports request_goodput, the completed "
                    + "requests per second that met all of them (a request's metric <= its objective).")
    List<String> goodput;

    @Option(names = "--json", description = "Print the result as JSON with vllm bench serve's keys.")
    boolean json;

    @Option(names = "--detailed", description = "With --json: add per-request arrays (ttfts, itls, errors, ...).")
    boolean detailed;

    @Option(names = "--no-progress", description = "Never draw the progress bar (drawn on a terminal's stderr).")
    boolean noProgress;

    @Override
    public Integer call() {
        ServingBenchmark benchmark = benchmark();
        recording.check(model);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BenchmarkListener listener = !noProgress && System.console() != null ? new ProgressBar(err)
                : new BenchmarkListener() { };
        BenchmarkRun run = benchmark.start(listener);
        ReportOnce report = new ReportOnce();
        Thread onCtrlC = new Thread(() -> {
            if (!report.claim()) {
                run.cancel();
                report.awaitPrinted(); // the JVM halts when this hook returns: not before the result is out
                return;
            }
            run.cancel();
            err.println();
            err.println("placement: interrupted; results of the " + run.finishedRequests()
                    + " requests finished so far:");
            err.flush();
            print(out, run.snapshot());
            report.printed();
        }, "placement-bench-interrupt");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        BenchmarkResult result;
        try {
            result = run.awaitResult();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.cancel();
            result = run.snapshot();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C arrived: whichever of the hook and this thread claims the report prints it.
            }
        }
        if (!report.claim()) {
            return 1;
        }
        try {
            print(out, result);
            if (result.completed() == 0) {
                err.println("placement: all " + result.failed() + " requests failed: " + result.failureSummary());
                err.flush();
                return 1;
            }
            if (recording.recording()) {
                record(result, err);
            }
            return 0;
        } finally {
            report.printed();
        }
    }

    /** Records a run only when it ran to its end: an interrupted run's means describe part of a run. */
    private void record(BenchmarkResult result, PrintWriter err) {
        if (result.interrupted()) {
            err.println("placement: not recorded in " + recording.record + ": the run was interrupted");
        } else {
            recording.append(model, result);
            err.println("placement: recorded the run in " + recording.record);
        }
        err.flush();
    }

    private void print(PrintWriter out, BenchmarkResult result) {
        out.print(json ? result.toJson(detailed) + System.lineSeparator() : result.toText());
        out.flush();
    }

    private ServingBenchmark benchmark() {
        ServingBenchmark.Builder b = ServingBenchmark.builder()
                .baseUrl(baseUrl())
                .endpoint(endpoint())
                .numPrompts(bounded(numPrompts, MAX_PROMPTS, "--num-prompts"))
                .requestRate(requestRate())
                .outputTokens(atLeastOne(outputLen, "--output-len"))
                .ignoreEos(ignoreEos)
                .seed(seed)
                .percentiles(percentiles())
                .goodput(goodput == null ? null : GoodputSlo.parse(String.join(" ", goodput)))
                .requestTimeout(timeout())
                .apiKey(apiKey());
        if (model != null && model.isBlank()) {
            throw new InvalidInputException("--model", null, "must not be blank; omit it to use the first model the "
                    + "server lists");
        }
        if (servedModelName != null && servedModelName.isBlank()) {
            throw new InvalidInputException("--served-model-name", null, "must not be blank; omit it to send "
                    + "--model");
        }
        String served = servedModelName != null ? servedModelName : model;
        if (served != null) {
            b.model(served);
        }
        if (maxConcurrency != null) {
            b.maxConcurrency(atLeastOne(maxConcurrency, "--max-concurrency"));
        }
        if (warmups != null && warmups < 0) {
            throw new InvalidInputException("--num-warmups", null, "must be 0 or more, was " + warmups);
        }
        b.warmupRequests(warmups != null ? warmups : defaultWarmups(requestRate()));
        if (prompts != null) {
            if (inputLen != null) {
                throw new InvalidInputException("--input-len", null, "cannot be combined with --prompts (the file's "
                        + "prompts have their own lengths)");
            }
            b.prompts(BenchmarkPrompt.readJsonl(prompts));
        } else {
            int tokens = inputLen == null ? DEFAULT_INPUT_TOKENS : bounded(inputLen, MAX_INPUT_TOKENS, "--input-len");
            long total = Math.multiplyExact((long) tokens, numPrompts);
            if (total > MAX_SYNTHETIC_TOKENS) {
                throw new InvalidInputException("--num-prompts", null, numPrompts + " prompts of " + tokens
                        + " tokens make " + total + " tokens to generate, more than " + MAX_SYNTHETIC_TOKENS
                        + "; send fewer or shorter prompts");
            }
            b.inputTokens(tokens);
        }
        return b.build();
    }

    /**
     * The key {@code --api-key-env} names, checked against where it would go; a key is sent only when named, so
     * that an OpenAI key kept for the LLM agent never reaches a server under test by accident.
     */
    private String apiKey() {
        if (apiKeyEnv == null) {
            return null;
        }
        if (!ApiKey.isVariableName(apiKeyEnv) || apiKeyEnv.length() > MAX_VARIABLE_NAME_CHARS) {
            throw new InvalidInputException("--api-key-env", null, "'" + apiKeyEnv + "' is not an environment "
                    + "variable name (letters, digits and _, not starting with a digit, at most "
                    + MAX_VARIABLE_NAME_CHARS + ")");
        }
        URI uri = baseUrl();
        ApiKey key = ApiKey.named(null, apiKeyEnv, environment, uri.getHost());
        LlmHttpTransport.requireKeySafeToSend(uri, key.name(), "--url", null);
        spec.commandLine().getErr().println("placement: sending the key in " + key.name() + " to " + uri.getHost());
        return key.value();
    }

    /**
     * One untimed wave as wide as the run: a cold JVM timed its first thousands of chunks late (interpreted and
     * compiling code) and opened its connections inside the measured TTFTs; measured in docs/PERFORMANCE.md.
     */
    private int defaultWarmups(double rate) {
        int inFlight = maxConcurrency != null ? maxConcurrency : Double.isInfinite(rate) ? numPrompts : 16;
        return Math.min(inFlight, numPrompts);
    }

    private URI baseUrl() {
        String problem = "'" + url + "' is not an http(s) URL with a host, like http://10.0.0.10:8000";
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new InvalidInputException("--url", null, problem);
            }
            if (uri.getPort() > 65_535) {
                throw new InvalidInputException("--url", null, "port " + uri.getPort() + " is out of range; a port "
                        + "is 1 to 65535, like http://10.0.0.10:8000");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InvalidInputException("--url", null, problem);
        }
    }

    private BenchmarkEndpoint endpoint() {
        try {
            return BenchmarkEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--endpoint", null, "'" + endpoint + "' is not an endpoint; use "
                    + "completions or chat");
        }
    }

    private double requestRate() {
        if (requestRate == null || requestRate.trim().equalsIgnoreCase("inf")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double rate = Double.parseDouble(requestRate.trim());
            if (rate > 0 && !Double.isNaN(rate)) {
                return rate;
            }
        } catch (NumberFormatException notANumber) {
            // Reported below with the valid forms.
        }
        throw new InvalidInputException("--request-rate", null, "'" + requestRate + "' is not a positive number of "
                + "requests per second or inf");
    }

    private List<Double> percentiles() {
        List<Double> list = new ArrayList<>();
        for (String part : percentiles.split(",")) {
            double p;
            try {
                p = Double.parseDouble(part.trim());
            } catch (NumberFormatException e) {
                p = Double.NaN;
            }
            if (!(p >= 0 && p <= 100)) {
                throw new InvalidInputException("--percentiles", null, "'" + part.trim() + "' is not a number from 0 "
                        + "to 100; give a comma-separated list such as 50,90,99");
            }
            list.add(p);
        }
        return list;
    }

    private Duration timeout() {
        if (!(timeoutSeconds > 0) || Double.isInfinite(timeoutSeconds)) {
            throw new InvalidInputException("--timeout", null, "must be a positive number of seconds, was "
                    + timeoutSeconds);
        }
        return Duration.ofNanos((long) (timeoutSeconds * 1e9));
    }

    /** The most requests one bench sends: every request's timings are kept until the end. */
    static final int MAX_PROMPTS = 1_000_000;
    /** The longest generated prompt, in tokens: longer than any model's context. */
    static final int MAX_INPUT_TOKENS = 1_048_576;
    /** The most synthetic prompt tokens one bench generates, all held in memory: about 300 MB of text. */
    static final long MAX_SYNTHETIC_TOKENS = 50_000_000;
    /** The length of a synthetic prompt without {@code --input-len}, the benchmark's own default. */
    private static final int DEFAULT_INPUT_TOKENS = 1024;

    private static int bounded(int value, int max, String option) {
        if (value < 1 || value > max) {
            throw new InvalidInputException(option, null, "must be from 1 to " + max + ", was " + value);
        }
        return value;
    }

    private static int atLeastOne(int value, String option) {
        if (value < 1) {
            throw new InvalidInputException(option, null, "must be at least 1, was " + value);
        }
        return value;
    }
}
