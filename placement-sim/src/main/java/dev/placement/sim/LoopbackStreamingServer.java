package dev.placement.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A fake OpenAI-compatible streaming server with known timing, for tests, benchmarks and demos without a GPU.
 * It listens on the loopback address only ({@code 127.0.0.1}, a free port) and answers
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions} with vLLM-shaped server-sent events: the
 * first output chunk exactly {@code timeToFirstToken} after it received the request, then one chunk every
 * {@code interTokenLatency}, as many as the request's {@code max_tokens} (or {@code max_completion_tokens}),
 * then a usage chunk ({@code choices: []}) and {@code data: [DONE]}. The two delays are the same for every
 * request unless the builder chooses them by arrival ({@link Builder#timingByArrival(IntFunction)}). For
 * chat, the first chunk is vLLM's role-only delta, sent together with the first token. It also answers
 * {@code GET /v1/models} and {@code GET /health}.
 *
 * <p>Requests are read and handled on a pool of 8 threads, so that "received" is stamped soon after a request's
 * bytes arrive even when hundreds arrive at once. Chunk writes are scheduled at absolute times
 * ({@code received + TTFT + k × ITL}) on a small {@link java.util.concurrent.ScheduledExecutorService}, not with
 * a sleeping thread per stream, so hundreds of streams cost a few threads and the injected timing does not drift
 * with load. How late writes were against
 * their schedule is kept, so that a benchmark can tell the server's lag from the client's. On request
 * ({@link Builder#recordSendTimes()}) it also keeps when it began writing every output chunk of every stream
 * ({@link #sentStreams()}): the truth against which a client's chunk timestamps can be checked.
 *
 * <p>Failure behaviours can be injected per request ({@link Behaviour}). It is part of the main sources (not
 * test sources) because the serving benchmark's tests in {@code placement-vllm}, the CLI's tests and the
 * capacity benchmark in {@code placement-benchmarks} all drive it, and because {@code placement bench} can be
 * tried against it.
 *
 * <p>It keeps up to 4,096 idle keep-alive connections (the JDK server's default is 200), set, like
 * {@code TCP_NODELAY}, as a JDK property before the JVM's first JDK HTTP server starts unless the user set it.
 *
 * <p>Thread-safe. Close it to stop listening and to end streams still open.
 */
public final class LoopbackStreamingServer implements AutoCloseable {

    /** What the server does with one streaming request. */
    public enum Behaviour {
        /** Streams every chunk, the usage chunk and {@code [DONE]}. */
        NORMAL,
        /** Answers HTTP 500 with a vLLM-style JSON error at once. */
        HTTP_500,
        /** Streams the first chunk, then an error event ({@code {"error": {...}}}), then {@code [DONE]}. */
        ERROR_EVENT,
        /** Streams the first chunk, then nothing, holding the connection open until the client leaves. */
        STALL,
        /** Streams half of the chunks (at least one), then ends the body without {@code [DONE]}. */
        EARLY_CLOSE
    }

    /** Threads that read and handle requests; more than cores, so that one descheduled does not hold the rest. */
    private static final int REQUEST_THREADS = 8;

    private final IntFunction<StreamTiming> timing;
    private final String modelName;
    private final IntFunction<Behaviour> behaviour;
    private final HttpServer server;
    private final ScheduledThreadPoolExecutor writerThreads;
    private final ThreadPoolExecutor requestThreads;
    private final StreamWriters writers;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<HttpExchange> open = ConcurrentHashMap.newKeySet();
    private final WriteLateness lateness = new WriteLateness();
    /** Every stream's send times, or {@code null} unless the builder asked for them. */
    private final Queue<SendTimes> sendTimes;

    private LoopbackStreamingServer(Builder b) throws IOException {
        StreamTiming constant = b.constantTiming;
        IntFunction<StreamTiming> byArrival = b.timingByArrival;
        this.timing = byArrival == null ? arrival -> constant
                : arrival -> Objects.requireNonNullElse(byArrival.apply(arrival), constant);
        this.modelName = b.modelName;
        this.behaviour = b.behaviour;
        this.sendTimes = b.recordSendTimes ? new ConcurrentLinkedQueue<>() : null;
        this.writerThreads = new ScheduledThreadPoolExecutor(b.writerThreads,
                StreamWriters.daemonThreads("loopback-llm-writer"));
        this.writers = new StreamWriters(writerThreads, lateness, open);
        JdkServerSettings.apply();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        // Requests are read and handled on a pool, not on the server's one dispatcher thread: there, a wave of
        // requests was read one after another before each was stamped "received", so the stamp of the last came
        // tens of ms after its bytes had arrived (measured: the whole TTFT error of a client at 256 streams).
        this.requestThreads = new ThreadPoolExecutor(REQUEST_THREADS, REQUEST_THREADS, 1, TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(), StreamWriters.daemonThreads("loopback-llm-request"));
        requestThreads.prestartAllCoreThreads();
        server.setExecutor(requestThreads);
        server.createContext("/v1/completions", exchange -> stream(exchange, false));
        server.createContext("/v1/chat/completions", exchange -> stream(exchange, true));
        server.createContext("/v1/models", this::models);
        server.createContext("/health", exchange -> respond(exchange, 200, ""));
        server.start();
    }

    /** @return a builder: 30 ms to the first token, 10 ms between tokens, every request {@code NORMAL} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the base URL to benchmark, {@code http://127.0.0.1:<port>} */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** @return the model name it serves (what {@code GET /v1/models} lists first) */
    public String modelName() {
        return modelName;
    }

    /** @return how many streaming requests it has received, warm-up requests included */
    public int requestsReceived() {
        return requests.get();
    }

    /**
     * How late the server's chunk writes began against their schedule, since it started or since the last
     * {@link #resetLateness()}. Under CPU contention a write can begin late; the truth a client can measure is
     * then the injected timing plus this lateness.
     *
     * @return the lateness statistics
     */
    public Lateness lateness() {
        return lateness.snapshot();
    }

    /** Forgets the lateness seen so far, for example that of warm-up requests. */
    public void resetLateness() {
        lateness.reset();
    }

    /**
     * When the server began writing each output chunk of every stream so far, for checking a client's chunk
     * timestamps against the truth. The times are {@link System#nanoTime()} of this JVM, so a client in the same
     * JVM can compare its own {@code nanoTime} stamps with them directly: a client cannot see a chunk before
     * the server began writing it, nor send a request after the server received it.
     *
     * @return one entry per streaming request that got response headers (not those answered with HTTP 500),
     *     warm-up requests included, in order of arrival; each a snapshot (a stream still open keeps growing)
     * @throws IllegalStateException unless the builder's {@link Builder#recordSendTimes()} was called
     */
    public List<SentStream> sentStreams() {
        if (sendTimes == null) {
            throw new IllegalStateException("this server keeps no send times; build it with recordSendTimes()");
        }
        return sendTimes.stream().sorted(Comparator.comparingInt(SendTimes::arrival)).map(SendTimes::snapshot)
                .toList();
    }

    /**
     * How late chunk writes began against their schedule.
     *
     * @param chunkWrites             how many writes were timed
     * @param meanMillis              their mean lateness in ms
     * @param maxMillis               the largest lateness in ms
     * @param meanFirstChunkMillis    the mean lateness of first-chunk writes in ms (it adds to every TTFT)
     */
    public record Lateness(long chunkWrites, double meanMillis, double maxMillis, double meanFirstChunkMillis) {
    }

    /**
     * What the server sent on one streaming request, with {@link System#nanoTime()} times of this JVM.
     *
     * @param arrival          the request's place in arrival order, from 0, as {@link Builder#behaviourByArrival}
     *                         counts it (warm-up requests included)
     * @param prompt           the request's {@code prompt}, or for chat the first message's {@code content}
     * @param receivedNanos    when the server began handling the request, before reading its body
     * @param outputChunkNanos when the server began writing each output chunk (every chunk whose
     *                         {@code choices} is not empty, vLLM's role-only chat chunk included), in order; a
     *                         chunk is listed once its write began, whether or not the client was still there
     */
    public record SentStream(int arrival, String prompt, long receivedNanos, List<Long> outputChunkNanos) {
        /**
         * Copies the chunk times.
         *
         * @param arrival          the request's place in arrival order, from 0, warm-up requests included
         * @param prompt           the request's {@code prompt}, or for chat the first message's {@code content}
         * @param receivedNanos    when the server began handling the request, {@link System#nanoTime()}
         * @param outputChunkNanos when the server began writing each output chunk, {@link System#nanoTime()}, in
         *                         order; not null
         */
        public SentStream {
            outputChunkNanos = List.copyOf(outputChunkNanos);
        }
    }

    /** Stops listening and ends every open stream. */
    @Override
    public void close() {
        server.stop(0);
        requestThreads.shutdownNow();
        writerThreads.shutdownNow();
        open.forEach(HttpExchange::close);
        open.clear();
    }

    private void stream(HttpExchange exchange, boolean chat) throws IOException {
        long receivedNanos = System.nanoTime();
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "{\"object\":\"error\",\"message\":\"use POST\",\"code\":405}");
            return;
        }
        int sequence = requests.getAndIncrement();
        JsonNode request;
        try {
            request = json.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
            respond(exchange, 400, "{\"object\":\"error\",\"message\":\"body is not JSON\",\"code\":400}");
            return;
        }
        int outputTokens = request.path(chat ? "max_completion_tokens" : "max_tokens").asInt(
                request.path("max_tokens").asInt(16));
        String prompt = chat ? request.path("messages").path(0).path("content").asText("")
                : request.path("prompt").asText("");
        Behaviour b = Objects.requireNonNullElse(behaviour.apply(sequence), Behaviour.NORMAL);
        if (b == Behaviour.HTTP_500) {
            respond(exchange, 500, "{\"object\":\"error\",\"message\":\"injected failure: HTTP 500\","
                    + "\"type\":\"InternalServerError\",\"param\":null,\"code\":500}");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        open.add(exchange);
        int tokens = Math.max(1, outputTokens);
        SendTimes sent = null;
        if (sendTimes != null) {
            // One more output chunk than tokens for chat: vLLM's role-only delta comes first.
            sent = new SendTimes(sequence, prompt, receivedNanos, chat ? tokens + 1 : tokens);
            sendTimes.add(sent);
        }
        new ScheduledStream(exchange, new CompletionChunks(chat, sequence, modelName), b, tokens,
                CompletionChunks.words(prompt), receivedNanos, timing.apply(sequence), sent, writers).schedule();
    }

    private void models(HttpExchange exchange) throws IOException {
        respond(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"" + modelName + "\",\"object\":\"model\","
                + "\"created\":0,\"owned_by\":\"vllm\",\"root\":\"" + modelName + "\",\"parent\":null,"
                + "\"max_model_len\":32768}]}");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Configures a {@link LoopbackStreamingServer}. Not thread-safe. */
    public static final class Builder {
        private StreamTiming constantTiming = new StreamTiming(Duration.ofMillis(30), Duration.ofMillis(10));
        /** {@code null} for {@link #constantTiming} on every request. */
        private IntFunction<StreamTiming> timingByArrival;
        private String modelName = "loopback-model";
        private IntFunction<Behaviour> behaviour = sequence -> Behaviour.NORMAL;
        private int writerThreads = 2;
        private boolean recordSendTimes;

        private Builder() {
        }

        /**
         * Sets the same time to first token for every request, replacing {@link #timingByArrival(IntFunction)}.
         *
         * @param delay how long after receiving a request the first output chunk is written; &ge; 0; default 30 ms
         * @return this builder
         */
        public Builder timeToFirstToken(Duration delay) {
            this.constantTiming = new StreamTiming(delay, constantTiming.interTokenLatency());
            this.timingByArrival = null;
            return this;
        }

        /**
         * Sets the same inter-token latency for every request, replacing {@link #timingByArrival(IntFunction)}.
         *
         * @param delay the gap between consecutive output chunks; &ge; 0; default 10 ms
         * @return this builder
         */
        public Builder interTokenLatency(Duration delay) {
            this.constantTiming = new StreamTiming(constantTiming.timeToFirstToken(), delay);
            this.timingByArrival = null;
            return this;
        }

        /**
         * Chooses the timing of each streaming request by its arrival, replacing the constant timing, so that a
         * test can reproduce a predicted spread of per-request times ({@link #sentStreams()} shows what was sent).
         *
         * @param timingByArrival the timing of the streaming request that arrives n-th (from 0, warm-up requests
         *                        included, counted as {@link #behaviourByArrival} counts); called once per request
         *                        on the server's threads; a {@code null} answer gets the constant timing
         * @return this builder
         */
        public Builder timingByArrival(IntFunction<StreamTiming> timingByArrival) {
            this.timingByArrival = Objects.requireNonNull(timingByArrival, "timingByArrival must not be null");
            return this;
        }

        /**
         * @param modelName the model name it reports; not blank
         * @return this builder
         */
        public Builder modelName(String modelName) {
            if (modelName == null || modelName.isBlank() || modelName.contains("\"")) {
                throw new IllegalArgumentException("modelName must be a non-blank name without quotes, was "
                        + modelName);
            }
            this.modelName = modelName;
            return this;
        }

        /**
         * @param behaviour what to do with every streaming request
         * @return this builder
         */
        public Builder behaviour(Behaviour behaviour) {
            Objects.requireNonNull(behaviour, "behaviour must not be null");
            this.behaviour = sequence -> behaviour;
            return this;
        }

        /**
         * @param behaviourByArrival what to do with the streaming request that arrives n-th (from 0, warm-up
         *                           requests included); called on the server's threads
         * @return this builder
         */
        public Builder behaviourByArrival(IntFunction<Behaviour> behaviourByArrival) {
            this.behaviour = Objects.requireNonNull(behaviourByArrival, "behaviourByArrival must not be null");
            return this;
        }

        /**
         * @param writerThreads threads that write chunks; &ge; 1; default 2
         * @return this builder
         */
        public Builder writerThreads(int writerThreads) {
            if (writerThreads < 1) {
                throw new IllegalArgumentException("writerThreads must be at least 1, was " + writerThreads);
            }
            this.writerThreads = writerThreads;
            return this;
        }

        /**
         * Keeps, for every stream, when each output chunk was written ({@link #sentStreams()}). Off by default:
         * the record grows with every request, which suits tests and benchmarks, not a long-running demo.
         *
         * @return this builder
         */
        public Builder recordSendTimes() {
            this.recordSendTimes = true;
            return this;
        }

        /**
         * Binds a free loopback port and starts serving.
         *
         * @return the running server
         * @throws UncheckedIOException if no port can be bound
         */
        public LoopbackStreamingServer start() {
            try {
                return new LoopbackStreamingServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the loopback streaming server", e);
            }
        }
    }
}
