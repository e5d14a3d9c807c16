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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * A fake OpenAI-compatible streaming server with known timing, for tests, benchmarks and demos without a GPU.
 * It listens on the loopback address only ({@code 127.0.0.1}, a free port) and answers
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions} with vLLM-shaped server-sent events: the
 * first output chunk exactly {@code timeToFirstToken} after it received the request, then one chunk every
 * {@code interTokenLatency}, as many as the request's {@code max_tokens} (or {@code max_completion_tokens}),
 * then a usage chunk ({@code choices: []}) and {@code data: [DONE]}. For chat, the first chunk is vLLM's
 * role-only delta, sent together with the first token. It also answers {@code GET /v1/models} and
 * {@code GET /health}.
 *
 * <p>Chunk writes are scheduled at absolute times ({@code received + TTFT + k × ITL}) on a small
 * {@link java.util.concurrent.ScheduledExecutorService}, not with a sleeping thread per stream, so hundreds of
 * streams cost a few threads and the injected timing does not drift with load. How late writes were against
 * their schedule is kept, so that a benchmark can tell the server's lag from the client's.
 *
 * <p>Failure behaviours can be injected per request ({@link Behaviour}). It is part of the main sources (not
 * test sources) because the accuracy tests of this module, the CLI's tests and the capacity benchmark in
 * {@code placement-benchmarks} all drive it, and because {@code placement bench} can be tried against it.
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

    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final String DONE = "data: [DONE]\n\n";
    private static final String ERROR_EVENT = "data: {\"error\":{\"message\":\"injected failure: error event\","
            + "\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}\n\n";

    private final Duration timeToFirstToken;
    private final Duration interTokenLatency;
    private final String modelName;
    private final IntFunction<Behaviour> behaviour;
    private final HttpServer server;
    private final ScheduledThreadPoolExecutor writers;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<HttpExchange> open = ConcurrentHashMap.newKeySet();
    private final LongAdder lateNanosTotal = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final AtomicLong lateNanosMax = new AtomicLong();
    private final LongAdder firstLateNanosTotal = new LongAdder();
    private final LongAdder firstWrites = new LongAdder();

    private LoopbackStreamingServer(Builder b) throws IOException {
        this.timeToFirstToken = b.timeToFirstToken;
        this.interTokenLatency = b.interTokenLatency;
        this.modelName = b.modelName;
        this.behaviour = b.behaviour;
        this.writers = new ScheduledThreadPoolExecutor(b.writerThreads, daemon("loopback-llm-writer"));
        // Without TCP_NODELAY, Nagle's algorithm holds a chunk written soon after the response headers until the
        // client's delayed ACK arrives: measured, it added ~10 ms to every TTFT at 64 streams. Real servers
        // (uvicorn for vLLM) set it. The JDK server reads this property once per JVM, when its first server is
        // created; a value the user set is kept.
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        // Handlers run on the server's dispatcher thread: they only read a small body and schedule writes, and
        // skipping a hand-off to a pool keeps the time from request to handler (part of every TTFT) short.
        server.setExecutor(null);
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
        long n = writes.sum();
        long first = firstWrites.sum();
        return new Lateness(n, n == 0 ? 0 : lateNanosTotal.sum() / 1e6 / n, lateNanosMax.get() / 1e6,
                first == 0 ? 0 : firstLateNanosTotal.sum() / 1e6 / first);
    }

    /** Forgets the lateness seen so far, for example that of warm-up requests. */
    public void resetLateness() {
        writes.reset();
        lateNanosTotal.reset();
        lateNanosMax.set(0);
        firstWrites.reset();
        firstLateNanosTotal.reset();
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

    /** Stops listening and ends every open stream. */
    @Override
    public void close() {
        server.stop(0);
        writers.shutdownNow();
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
        int promptTokens = chat ? words(request.path("messages").path(0).path("content").asText(""))
                : words(request.path("prompt").asText(""));
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
        Stream s = new Stream(exchange, chat, sequence, Math.max(1, outputTokens), promptTokens, b,
                receivedNanos + timeToFirstToken.toNanos());
        s.schedule();
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

    private static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** One response stream: writes chunk k at {@code firstDueNanos + k × ITL}, each write scheduling the next. */
    private final class Stream implements Runnable {
        private final HttpExchange exchange;
        private final boolean chat;
        private final String id;
        private final int outputTokens;
        private final int promptTokens;
        private final Behaviour behaviour;
        private final long firstDueNanos;
        private int next;

        Stream(HttpExchange exchange, boolean chat, int sequence, int outputTokens, int promptTokens,
                Behaviour behaviour, long firstDueNanos) {
            this.exchange = exchange;
            this.chat = chat;
            this.id = (chat ? "chatcmpl-" : "cmpl-") + sequence;
            this.outputTokens = outputTokens;
            this.promptTokens = promptTokens;
            this.behaviour = behaviour;
            this.firstDueNanos = firstDueNanos;
        }

        void schedule() {
            long due = firstDueNanos + next * interTokenLatency.toNanos();
            try {
                writers.schedule(this, due - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                end();
            }
        }

        @Override
        public void run() {
            long due = firstDueNanos + next * interTokenLatency.toNanos();
            long late = Math.max(0, System.nanoTime() - due);
            lateNanosTotal.add(late);
            writes.increment();
            lateNanosMax.accumulateAndGet(late, Math::max);
            if (next == 0) {
                firstLateNanosTotal.add(late);
                firstWrites.increment();
            }
            try {
                boolean more = writeNext();
                if (more) {
                    schedule();
                }
            } catch (IOException | UncheckedIOException clientLeft) {
                end();
            }
        }

        /** @return whether another chunk is due later */
        private boolean writeNext() throws IOException {
            int k = next++;
            StringBuilder out = new StringBuilder(256);
            if (k == 0 && chat) {
                event(out, chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
            }
            boolean last = k == outputTokens - 1;
            if (behaviour == Behaviour.ERROR_EVENT && k == 1) {
                return finish(out.append(ERROR_EVENT).append(DONE));
            }
            if (behaviour == Behaviour.EARLY_CLOSE && k == Math.max(1, outputTokens / 2)) {
                return finish(out);
            }
            String text = " tok" + k;
            event(out, chat ? chunk("{\"content\":\"" + text + "\"}", last ? "length" : null)
                    : chunk(text, last ? "length" : null));
            if (!last || behaviour == Behaviour.STALL) {
                write(out);
                // A stalled stream keeps its connection open and silent; close() or the client ends it.
                return behaviour != Behaviour.STALL;
            }
            switch (behaviour) {
                case NORMAL:
                    event(out, "{\"id\":\"" + id + "\",\"object\":\"" + object() + "\",\"created\":0,"
                            + "\"model\":\"" + modelName + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
                            + promptTokens + ",\"total_tokens\":" + (promptTokens + outputTokens)
                            + ",\"completion_tokens\":" + outputTokens + "}}");
                    out.append(DONE);
                    break;
                case ERROR_EVENT:
                    out.append(ERROR_EVENT).append(DONE);
                    break;
                default:
                    break;
            }
            return finish(out);
        }

        /** Writes the last bytes and ends the body; returns false (no chunk is due later). */
        private boolean finish(StringBuilder out) throws IOException {
            if (out.length() > 0) {
                write(out);
            }
            end();
            return false;
        }

        private String chunk(String payload, String finishReason) {
            String finish = finishReason == null ? "null" : "\"" + finishReason + "\"";
            String choice = chat
                    ? "{\"index\":0,\"delta\":" + payload + ",\"logprobs\":null,\"finish_reason\":" + finish + "}"
                    : "{\"index\":0,\"text\":\"" + payload + "\",\"logprobs\":null,\"finish_reason\":" + finish
                            + ",\"stop_reason\":null}";
            return "{\"id\":\"" + id + "\",\"object\":\"" + object() + "\",\"created\":0,\"model\":\"" + modelName
                    + "\",\"choices\":[" + choice + "],\"usage\":null}";
        }

        private String object() {
            return chat ? "chat.completion.chunk" : "text_completion";
        }

        private void event(StringBuilder out, String data) {
            out.append("data: ").append(data).append("\n\n");
        }

        private void write(StringBuilder out) throws IOException {
            OutputStream body = exchange.getResponseBody();
            body.write(out.toString().getBytes(StandardCharsets.UTF_8));
            body.flush();
        }

        private void end() {
            open.remove(exchange);
            exchange.close();
        }
    }

    /** Configures a {@link LoopbackStreamingServer}. Not thread-safe. */
    public static final class Builder {
        private Duration timeToFirstToken = Duration.ofMillis(30);
        private Duration interTokenLatency = Duration.ofMillis(10);
        private String modelName = "loopback-model";
        private IntFunction<Behaviour> behaviour = sequence -> Behaviour.NORMAL;
        private int writerThreads = 2;

        private Builder() {
        }

        /**
         * @param delay how long after receiving a request the first output chunk is written; &ge; 0
         * @return this builder
         */
        public Builder timeToFirstToken(Duration delay) {
            this.timeToFirstToken = nonNegative(delay, "timeToFirstToken");
            return this;
        }

        /**
         * @param delay the gap between consecutive output chunks; &ge; 0
         * @return this builder
         */
        public Builder interTokenLatency(Duration delay) {
            this.interTokenLatency = nonNegative(delay, "interTokenLatency");
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

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
