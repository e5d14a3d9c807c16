package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Talks to a vLLM OpenAI server's operational endpoints: {@code /health}, {@code /v1/models} and
 * {@code /metrics}. Immutable and thread-safe.
 */
final class VllmEndpoint {
    static final String RUNNING_GAUGE = "vllm:num_requests_running";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final Duration requestTimeout;

    VllmEndpoint(HttpClient http, Duration requestTimeout) {
        this.http = Objects.requireNonNull(http, "http");
        this.requestTimeout = Polling.requirePositive(requestTimeout, "requestTimeout");
    }

    /**
     * Checks readiness: {@code /health} answers 200 and {@code /v1/models} lists at least one model.
     *
     * @return empty when ready, otherwise why not (for the timeout message)
     */
    Optional<String> notReadyReason(URI endpoint) {
        try {
            HttpResponse<String> health = get(endpoint.resolve("/health"));
            if (health.statusCode() != 200) {
                return Optional.of("/health answered " + health.statusCode());
            }
            HttpResponse<String> models = get(endpoint.resolve("/v1/models"));
            if (models.statusCode() != 200) {
                return Optional.of("/v1/models answered " + models.statusCode());
            }
            JsonNode data = JSON.readTree(models.body()).path("data");
            if (!data.isArray() || data.isEmpty()) {
                return Optional.of("/v1/models lists no model yet");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot reach " + endpoint + " (" + describe(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /**
     * Scrapes {@code /metrics}.
     *
     * @return the body, or empty if the server cannot be reached or answers with an error
     */
    Optional<String> metricsText(URI endpoint) throws InterruptedException {
        try {
            HttpResponse<String> r = get(endpoint.resolve("/metrics"));
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @return the requests running now ({@value #RUNNING_GAUGE} summed over engines), or empty if the server
     *         cannot be reached or does not export the gauge
     */
    Optional<Double> requestsRunning(URI endpoint) {
        try {
            return metricsText(endpoint).map(PrometheusText::parse)
                    .filter(m -> m.has(RUNNING_GAUGE)).map(m -> m.sum(RUNNING_GAUGE));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }

    /** How a wait for readiness ended, and the last reason the server was not ready. */
    record Readiness(boolean ready, boolean exited, String lastReason) {
    }

    /**
     * Polls until the server is ready, the process behind it is gone, or the timeout passes.
     *
     * @param alive    whether the process serving the endpoint still runs; checked before each poll
     * @param progress told after each poll why the server is not ready yet
     */
    Readiness awaitReady(Polling polling, URI endpoint, Duration timeout, BooleanSupplier alive, Progress progress) {
        String[] last = {"not polled"};
        Optional<Boolean> outcome = polling.until(timeout, () -> {
            if (!alive.getAsBoolean()) {
                return Optional.of(Boolean.FALSE);
            }
            Optional<String> notReady = notReadyReason(endpoint);
            notReady.ifPresent(r -> {
                last[0] = r;
                progress.say("vLLM not ready yet at " + endpoint + ": " + r);
            });
            return notReady.isEmpty() ? Optional.of(Boolean.TRUE) : Optional.empty();
        });
        return new Readiness(outcome.orElse(false), outcome.isPresent() && !outcome.get(), last[0]);
    }

    /**
     * Waits, at most {@code bound}, while {@value #RUNNING_GAUGE} is above 0. A server that cannot be reached
     * or exports no gauge has nothing left to drain.
     *
     * @return whether no request was running at the end
     */
    boolean drain(Polling polling, URI endpoint, Duration bound) {
        return polling.until(bound, () -> {
            Optional<Double> running = requestsRunning(endpoint);
            return running.isEmpty() || running.get() <= 0 ? Optional.of(Boolean.TRUE) : Optional.empty();
        }).isPresent();
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
    }
}
