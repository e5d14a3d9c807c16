package dev.placement.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for {@code vllm serve}: a program that takes vLLM's arguments ({@code --port}, {@code --host},
 * {@code --served-model-name}, the model as the first argument; the others are accepted and ignored) and speaks
 * the part of vLLM's OpenAI API that clients and the launchers use, so that a launcher can start it as a real
 * process in place of vLLM (for example {@code placement run --runtime local --vllm-executable FILE}, or tests).
 *
 * <p>It answers {@code POST /v1/completions} and {@code POST /v1/chat/completions} (with {@code "stream": true}
 * as server-sent events, one chunk per token, {@code max_tokens} of them, then {@code data: [DONE]}; otherwise
 * one JSON answer), {@code GET /v1/models}, {@code GET /health}, {@code GET /metrics} (vLLM's
 * {@code vllm:num_requests_running}, so that a stop can drain it) and {@code GET /standin/streams}, its own
 * report: how many streams started and finished, and the prompts of those whose client went away before the end.
 * Every chunk carries {@code "system_fingerprint": "pid-<its process id>"}, so a client can tell which process
 * served it (the local-process launcher names the pipeline {@code local-<pid>}).
 *
 * <p>Timing comes from the environment: {@code PLACEMENT_STANDIN_TTFT_MS} (default 20) before the first token,
 * {@code PLACEMENT_STANDIN_ITL_MS} (default 5) between tokens, {@code PLACEMENT_STANDIN_STARTUP_MS} (default 0)
 * before it listens, as a model load would. Chunks are written at scheduled times on two threads, not by a
 * sleeping thread per stream. SIGTERM stops it (the JVM's shutdown hook closes the server); it listens on
 * {@code 127.0.0.1} unless {@code --host} says otherwise.
 */
public final class StandInVllmServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ScheduledExecutorService writers;
    private final ExecutorService requests;
    private final String model;
    private final String fingerprint = "pid-" + ProcessHandle.current().pid();
    private final long ttftNanos;
    private final long itlNanos;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger completed = new AtomicInteger();
    private final Queue<String> closedEarly = new ConcurrentLinkedQueue<>();

    private StandInVllmServer(String host, int port, String model, long ttftMillis, long itlMillis)
            throws IOException {
        this.model = model;
        this.ttftNanos = TimeUnit.MILLISECONDS.toNanos(ttftMillis);
        this.itlNanos = TimeUnit.MILLISECONDS.toNanos(itlMillis);
        this.writers = Executors.newScheduledThreadPool(2, StreamWriters.daemonThreads("standin-writer"));
        JdkServerSettings.apply();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 1024);
        this.requests = Executors.newFixedThreadPool(8, StreamWriters.daemonThreads("standin-request"));
        server.setExecutor(requests);
        server.createContext("/v1/completions", e -> complete(e, false));
        server.createContext("/v1/chat/completions", e -> complete(e, true));
        server.createContext("/v1/models", e -> respond(e, 200, "{\"object\":\"list\",\"data\":[{\"id\":"
                + JSON.writeValueAsString(model) + ",\"object\":\"model\",\"owned_by\":\"vllm\"}]}"));
        server.createContext("/health", e -> respond(e, 200, ""));
        server.createContext("/metrics", e -> respond(e, 200, "# TYPE vllm:num_requests_running gauge\n"
                + "vllm:num_requests_running{model_name=\"" + model + "\"} " + running.get() + "\n"));
        server.createContext("/standin/streams", e -> respond(e, 200, JSON.writeValueAsString(Map.of(
                "started", started.get(), "completed", completed.get(), "closedEarly", List.copyOf(closedEarly),
                "fingerprint", fingerprint))));
        server.start();
    }

    /**
     * Starts a stand-in in this JVM, for tests.
     *
     * @param port       the port to listen on, 0 for a free one
     * @param model      the served model name
     * @param ttftMillis milliseconds before the first token, &ge; 0
     * @param itlMillis  milliseconds between tokens, &ge; 0
     * @return the running server, on {@code 127.0.0.1}
     * @throws IOException if the port cannot be bound
     */
    public static StandInVllmServer start(int port, String model, long ttftMillis, long itlMillis)
            throws IOException {
        if (ttftMillis < 0 || itlMillis < 0) {
            throw new IllegalArgumentException("delays must be >= 0");
        }
        return new StandInVllmServer("127.0.0.1", port, model, ttftMillis, itlMillis);
    }

    /**
     * Runs the stand-in until SIGTERM.
     *
     * @param args vLLM's arguments: {@code [serve] MODEL --port N [--host H] [--served-model-name NAME] ...}
     * @throws Exception if it cannot start (the exit code is then 1)
     */
    public static void main(String[] args) throws Exception {
        int port = 8000;
        String host = "127.0.0.1";
        String model = null;
        String served = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (a.equals("--port") && value != null) {
                port = Integer.parseInt(value);
            } else if (a.equals("--host") && value != null) {
                host = value;
            } else if (a.equals("--served-model-name") && value != null) {
                served = value;
            } else if (!a.startsWith("--") && model == null && !a.equals("serve")) {
                model = a;
                continue;
            }
            if (a.startsWith("--") && value != null && !value.startsWith("--")) {
                i++; // an option's value
            }
        }
        Thread.sleep(env("PLACEMENT_STANDIN_STARTUP_MS", 0));
        String name = served != null ? served : model != null ? model : "stand-in";
        StandInVllmServer s = new StandInVllmServer(host, port, name, env("PLACEMENT_STANDIN_TTFT_MS", 20),
                env("PLACEMENT_STANDIN_ITL_MS", 5));
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "standin-shutdown"));
        System.out.println("stand-in vLLM serving " + name + " on " + host + ":" + s.port() + " as " + s.fingerprint);
        Thread.currentThread().join(); // until SIGTERM runs the hook and the JVM exits
    }

    private static long env(String name, long fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Long.parseLong(v.trim());
    }

    /** @return the port it listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return what every chunk carries as {@code system_fingerprint}: {@code pid-<process id>} */
    public String fingerprint() {
        return fingerprint;
    }

    /** @return the prompts of streams whose client went away before {@code [DONE]}, in order */
    public List<String> closedEarly() {
        return List.copyOf(closedEarly);
    }

    /**
     * Waits until a stream of this prompt has been found closed early by its client.
     *
     * @param prompt  the prompt (for chat, the first message's content)
     * @param timeout how long to wait at most
     * @return whether it was found within the timeout
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized boolean awaitClosedEarly(String prompt, java.time.Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closedEarly.contains(prompt)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private synchronized void streamClosedEarly(String prompt) {
        closedEarly.add(prompt);
        notifyAll();
    }

    /** Stops listening and ends the streams still open. */
    @Override
    public void close() {
        server.stop(0);
        writers.shutdownNow();
        requests.shutdownNow();
    }

    private void complete(HttpExchange exchange, boolean chat) throws IOException {
        long received = System.nanoTime();
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "{\"object\":\"error\",\"message\":\"use POST\",\"code\":405}");
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
            respond(exchange, 400, "{\"object\":\"error\",\"message\":\"body is not JSON\",\"code\":400}");
            return;
        }
        int tokens = Math.max(1, request.path(chat ? "max_completion_tokens" : "max_tokens")
                .asInt(request.path("max_tokens").asInt(16)));
        String prompt = chat ? request.path("messages").path(0).path("content").asText("")
                : request.path("prompt").asText("");
        if (!request.path("stream").asBoolean(false)) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < tokens; k++) {
                text.append(" t").append(k);
            }
            ObjectNode answer = chunk(chat, text.toString(), "length");
            answer.put("object", chat ? "chat.completion" : "text_completion");
            respond(exchange, 200, JSON.writeValueAsString(answer));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        started.incrementAndGet();
        running.incrementAndGet();
        writeChunk(exchange, chat, prompt, tokens, 0, received);
    }

    /** Writes token {@code k} at its scheduled time, then schedules the next; the last is followed by [DONE]. */
    private void writeChunk(HttpExchange exchange, boolean chat, String prompt, int tokens, int k, long received) {
        long due = received + ttftNanos + k * itlNanos;
        writers.schedule(() -> {
            OutputStream out = exchange.getResponseBody();
            try {
                String text = (chat && k == 0 ? "" : " ") + "t" + k;
                ObjectNode c = chunk(chat, text, k == tokens - 1 ? "length" : null);
                out.write(("data: " + JSON.writeValueAsString(c) + "\n\n").getBytes(StandardCharsets.UTF_8));
                if (k == tokens - 1) {
                    out.write(DONE);
                    out.close();
                    completed.incrementAndGet();
                    running.decrementAndGet();
                    return;
                }
                out.flush();
                writeChunk(exchange, chat, prompt, tokens, k + 1, received);
            } catch (IOException e) {
                running.decrementAndGet();
                streamClosedEarly(prompt);
                exchange.close();
            }
        }, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private ObjectNode chunk(boolean chat, String text, String finishReason) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", (chat ? "chatcmpl-" : "cmpl-") + fingerprint);
        c.put("object", chat ? "chat.completion.chunk" : "text_completion");
        c.put("created", 0);
        c.put("model", model);
        c.put("system_fingerprint", fingerprint);
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            choice.putObject("delta").put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.put("finish_reason", finishReason);
        return c;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", body.startsWith("#") ? "text/plain" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
