package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.PlacementException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A benchmark run in progress, started by {@link ServingBenchmark#start(BenchmarkListener)}: wait for its
 * result, look at what it has measured so far, or cancel it.
 *
 * <p>Thread-safe: every method may be called from any thread, for example {@link #cancel()} and
 * {@link #snapshot()} from a shutdown hook while another thread waits in {@link #awaitResult()}.
 */
public final class BenchmarkRun {
    private final BenchmarkSettings settings;
    private final List<BenchmarkPrompt> prompts;
    private final Transport transport;
    private final ObjectMapper json;
    private final String apiKey;
    private final Clock clock;
    private final int warmupRequests;
    private final BenchmarkListener listener;
    private final URI uri;
    private final CompletableFuture<BenchmarkResult> result = new CompletableFuture<>();
    private final ScheduledThreadPoolExecutor timer;
    private final Semaphore slots;
    private final Thread dispatcher;

    /**
     * The most tokens a warm-up request asks for: enough chunks, over a wave of warm-ups, for the JIT to compile
     * the read and parse path, at a fraction of a full answer's cost to the server and to the client's CPU.
     */
    static final int WARMUP_OUTPUT_TOKENS = 16;

    private final Object lock = new Object();
    private final List<RequestRecord> records = new ArrayList<>();
    private final Set<StreamingRequest> inFlight = new HashSet<>();
    private boolean started;
    private long runStartNanos;
    private long runEndNanos;
    private boolean ended;
    private volatile boolean cancelled;

    BenchmarkRun(BenchmarkSettings settings, List<BenchmarkPrompt> prompts, Transport transport, ObjectMapper json,
            String apiKey, Clock clock, int warmupRequests, BenchmarkListener listener) {
        this.settings = settings;
        this.prompts = List.copyOf(prompts);
        this.transport = transport;
        this.json = json;
        this.apiKey = apiKey;
        this.clock = clock;
        this.warmupRequests = warmupRequests;
        this.listener = listener;
        this.uri = URI.create(settings.baseUrl() + settings.endpoint().path());
        this.slots = settings.maxConcurrency() > 0 ? new Semaphore(settings.maxConcurrency(), true) : null;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "placement-bench-timeouts");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.dispatcher = new Thread(this::dispatch, "placement-bench-dispatcher");
        dispatcher.setDaemon(true);
    }

    void begin() {
        dispatcher.start();
    }

    /** @return the settings of this run, with the model name resolved */
    public BenchmarkSettings settings() {
        return settings;
    }

    /**
     * Waits for the run to end.
     *
     * @return the result; {@link BenchmarkResult#interrupted()} if the run was cancelled
     * @throws InterruptedException if this thread is interrupted while waiting (the run goes on)
     * @throws PlacementException   if the run itself broke (not if requests failed: those are counted)
     */
    public BenchmarkResult awaitResult() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw asPlacementException(e.getCause());
        }
    }

    /**
     * Waits at most a given time for the run to end.
     *
     * @param timeout how long to wait
     * @return the result
     * @throws InterruptedException if this thread is interrupted while waiting
     * @throws TimeoutException     if the run has not ended in time (it goes on)
     * @throws PlacementException   if the run itself broke
     */
    public BenchmarkResult awaitResult(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw asPlacementException(e.getCause());
        }
    }

    /** @return whether the run has ended, normally, by cancellation or by breaking */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * When the timed part began: the origin of every record's {@code startOffsetNanos}, so that a test can put
     * a record's chunk times on the clock of a server in the same JVM.
     *
     * @return {@link System#nanoTime()} at the start of the timed part
     * @throws IllegalStateException if the timed part has not begun (still warming up, or cancelled before)
     */
    long startNanos() {
        synchronized (lock) {
            if (!started) {
                throw new IllegalStateException("the timed part of the run has not begun");
            }
            return runStartNanos;
        }
    }

    /** @return how many requests have finished so far */
    public int finishedRequests() {
        synchronized (lock) {
            return records.size();
        }
    }

    /**
     * What has been measured so far: the finished requests, over the time elapsed since the run started.
     * Once the run has ended, its result.
     *
     * @return the statistics of the requests finished so far; marked interrupted unless the run is complete
     */
    public BenchmarkResult snapshot() {
        if (result.isDone() && !result.isCompletedExceptionally()) {
            return result.join();
        }
        List<RequestRecord> copy;
        long duration;
        synchronized (lock) {
            copy = new ArrayList<>(records);
            long end = ended ? runEndNanos : System.nanoTime();
            duration = started ? end - runStartNanos : 0;
        }
        return BenchmarkResult.of(settings, clock.instant(), duration, copy.size() < settings.numPrompts(), copy);
    }

    /**
     * Stops the run: no more requests are sent and those in flight are aborted (and not counted). The run's
     * result becomes the snapshot of what had finished. Does nothing if the run has already ended.
     */
    public void cancel() {
        List<StreamingRequest> abort;
        synchronized (lock) {
            if (cancelled || result.isDone()) {
                return;
            }
            cancelled = true;
            abort = new ArrayList<>(inFlight);
            if (started && !ended) {
                ended = true;
                runEndNanos = System.nanoTime();
            }
        }
        dispatcher.interrupt();
        for (StreamingRequest r : abort) {
            r.fail(FailureKind.CONNECTION, "cancelled");
        }
        end(snapshot());
    }

    private void dispatch() {
        try {
            warmUp();
            long[] offsets = ArrivalSchedule.offsetsNanos(settings.numPrompts(), settings.requestRatePerSecond(),
                    settings.seed());
            long start;
            synchronized (lock) {
                if (cancelled) {
                    return;
                }
                start = System.nanoTime();
                runStartNanos = start;
                started = true;
            }
            quietly(() -> listener.runStarted(settings.numPrompts()));
            for (int i = 0; i < settings.numPrompts(); i++) {
                waitUntil(start + offsets[i]);
                if (slots != null) {
                    slots.acquire();
                }
                StreamingRequest request = new StreamingRequest(i, prompts.get(i).inputTokens(), start, json);
                synchronized (lock) {
                    // Checked under the lock: a request cancel() does not see in flight is never sent.
                    if (cancelled) {
                        return;
                    }
                    inFlight.add(request);
                }
                request.outcome().thenAccept(record -> finished(request, record));
                send(request, prompts.get(i), settings.outputTokens());
            }
        } catch (InterruptedException e) {
            // Cancelled: cancel() completes the result.
        } catch (RejectedExecutionException e) {
            if (!cancelled) {
                timer.shutdownNow();
                result.completeExceptionally(e);
            }
            // Else cancel() shut the timer down while this request was being sent; cancel() completes the result.
        } catch (RuntimeException | Error e) {
            timer.shutdownNow();
            result.completeExceptionally(e);
        }
    }

    /**
     * Sends requests whose results are thrown away, as {@code vllm bench serve} does before timing: the first
     * one pays for class loading and connection set-up; several open connections the run then reuses.
     */
    private void warmUp() throws InterruptedException {
        if (warmupRequests == 0) {
            return;
        }
        List<StreamingRequest> warmups = new ArrayList<>();
        for (int i = 0; i < warmupRequests; i++) {
            StreamingRequest warmup = new StreamingRequest(i, 0, System.nanoTime(), json);
            warmups.add(warmup);
            send(warmup, prompts.get(0), Math.min(settings.outputTokens(), WARMUP_OUTPUT_TOKENS));
        }
        try {
            CompletableFuture.allOf(warmups.stream().map(StreamingRequest::outcome)
                    .toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            warmups.forEach(w -> w.fail(FailureKind.CONNECTION, "cancelled"));
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a warm-up request broke", e.getCause());
        }
    }

    private void send(StreamingRequest request, BenchmarkPrompt prompt, int outputTokens) {
        Duration timeout = settings.requestTimeout();
        ScheduledFuture<?> deadline = timer.schedule(() -> request.fail(FailureKind.TIMEOUT,
                "no [DONE] within " + describe(timeout) + " (" + request.outputChunks() + " output chunks arrived)"),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        request.outcome().thenRun(() -> deadline.cancel(false));
        transport.send(request, uri, body(prompt, outputTokens), apiKey);
    }

    private byte[] body(BenchmarkPrompt prompt, int outputTokens) {
        ObjectNode body = json.createObjectNode();
        body.put("model", settings.model());
        if (settings.endpoint() == BenchmarkEndpoint.CHAT) {
            ObjectNode message = body.putArray("messages").addObject();
            message.put("role", "user");
            message.put("content", prompt.text());
            body.put("max_completion_tokens", outputTokens);
        } else {
            body.put("prompt", prompt.text());
            body.put("max_tokens", outputTokens);
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        if (settings.ignoreEos()) {
            body.put("ignore_eos", true);
        }
        try {
            return json.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    private void finished(StreamingRequest request, RequestRecord record) {
        int finished;
        boolean last;
        synchronized (lock) {
            boolean known = inFlight.remove(request);
            if (cancelled || !known) {
                return;
            }
            records.add(record);
            finished = records.size();
            last = finished == settings.numPrompts();
            if (last) {
                ended = true;
                runEndNanos = System.nanoTime();
            }
        }
        if (slots != null) {
            slots.release();
        }
        quietly(() -> listener.requestFinished(record, finished, settings.numPrompts()));
        if (last) {
            end(snapshot());
        }
    }

    private void end(BenchmarkResult outcome) {
        timer.shutdownNow();
        if (result.complete(outcome)) {
            quietly(() -> listener.runFinished(outcome));
        }
    }

    private void waitUntil(long deadlineNanos) throws InterruptedException {
        long remaining;
        while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted() || cancelled) {
                throw new InterruptedException("cancelled");
            }
        }
    }

    private static void quietly(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException ignored) {
            // A listener must not break the measurement; see BenchmarkListener.
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static PlacementException asPlacementException(Throwable cause) {
        return cause instanceof PlacementException p ? p
                : new PlacementException("the benchmark run broke: " + cause, cause);
    }
}
