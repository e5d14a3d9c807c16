package dev.placement.llm.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LlmException;
import dev.placement.api.LlmRequest;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Sends one JSON request to an LLM provider and returns the body of its 2xx answer: the transport shared by the
 * provider modules. Each attempt has a request timeout; retryable failures ({@link LlmFailure#retryable()}:
 * 408, 409, 429, 5xx, I/O, timeouts) are retried with Resilience4j, waiting the server's hint
 * ({@code Retry-After-Ms}, {@code Retry-After}, or a hint in the error body such as Gemini's
 * {@code RetryInfo.retryDelay}) clamped to a ceiling, otherwise exponential backoff with jitter; everything else
 * fails at once. A circuit breaker counts retryable failures and, once open, fails calls without sending them.
 *
 * <p>It also reads and writes the providers' JSON (unknown properties ignored) and builds their typed failures,
 * so each provider module holds only its wire records and its rules.
 *
 * <p>Header values are never logged and configured secrets (API keys) are redacted from every message, so
 * keys reach neither logs nor exceptions. Built with {@link #builder()}; immutable and thread-safe.
 */
public final class LlmHttpTransport {
    private static final Logger LOG = LoggerFactory.getLogger(LlmHttpTransport.class);

    private final String provider;
    private final HttpClient httpClient;
    private final Duration requestTimeout;
    private final Duration initialRetryDelay;
    private final Duration maxRetryDelay;
    private final int maxRetries;
    private final ErrorBodyReader errorReader;
    private final List<String> secrets;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Retry retry;
    private final CircuitBreaker circuitBreaker;
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private LlmHttpTransport(Builder b) {
        this.provider = requireText(b.provider, "provider");
        this.requestTimeout = positive(b.requestTimeout, "requestTimeout");
        Duration connectTimeout = positive(b.connectTimeout, "connectTimeout");
        this.initialRetryDelay = notNegative(b.initialRetryDelay, "initialRetryDelay");
        this.maxRetryDelay = notNegative(b.maxRetryDelay, "maxRetryDelay");
        if (b.maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be 0 or more, got " + b.maxRetries);
        }
        this.maxRetries = b.maxRetries;
        this.errorReader = Objects.requireNonNull(b.errorReader, "errorReader");
        this.secrets = List.copyOf(b.secrets);
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.sleeper = Objects.requireNonNull(b.sleeper, "sleeper");
        this.httpClient = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.retry = Retry.of(provider, RetryConfig.<String>custom()
                .maxAttempts(maxRetries + 1)
                .retryOnException(LlmHttpTransport::isRetryable)
                .intervalBiFunction((attempt, outcome) -> waitBeforeRetry(attempt,
                        outcome.isLeft() ? outcome.getLeft() : null))
                .build());
        CircuitBreakerConfig base = b.circuitBreakerConfig != null ? b.circuitBreakerConfig
                : CircuitBreakerConfig.custom()
                        .slidingWindowSize(10)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(30))
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .build();
        this.circuitBreaker = CircuitBreaker.of(provider, CircuitBreakerConfig.from(base)
                // Only failures that say something about the server's health count: a bad request or a
                // refusal must not stop calls that would succeed.
                .recordException(LlmHttpTransport::isRetryable)
                .clock(clock)
                .build());
    }

    /** @return a builder with the defaults documented on its methods */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Posts a JSON body and returns the body of the 2xx answer, retrying retryable failures.
     *
     * @param uri      where to post; not null
     * @param headers  extra request headers (authentication, organization); values are never logged; not null
     * @param jsonBody the request body; not null
     * @return the response body of the first 2xx answer; never null
     * @throws LlmCallException for any failure: the last one if retries ran out, or the first non-retryable
     *                          one, or {@link LlmFailure#CIRCUIT_OPEN} when the circuit breaker refuses the call
     */
    public String postJson(URI uri, Map<String, String> headers, String jsonBody) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(jsonBody, "jsonBody");
        Supplier<String> guarded = CircuitBreaker.decorateSupplier(circuitBreaker,
                () -> sendOnce(uri, headers, jsonBody));
        Supplier<String> attempt = () -> {
            try {
                return guarded.get();
            } catch (CallNotPermittedException e) {
                throw new LlmCallException(provider, LlmFailure.CIRCUIT_OPEN,
                        "too many recent failures; not calling " + uri.getHost() + " for now", null, 0, null);
            }
        };
        return Retry.decorateSupplier(retry, attempt).get();
    }

    /** @return the circuit breaker's state, for diagnostics and tests; never null */
    public CircuitBreaker.State circuitState() {
        return circuitBreaker.getState();
    }

    /**
     * Removes every configured secret from a text, for messages built from what a server echoed back.
     *
     * @param text any text, or {@code null}
     * @return the text with secrets replaced by {@code ***}, or {@code null}
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }

    /**
     * Reads a request's answer schema.
     *
     * @param request the request; not null
     * @return the schema as a JSON object, or {@code null} if the request asks for free text
     * @throws LlmCallException ({@link LlmFailure#INVALID_REQUEST}) if the schema is not a JSON object
     */
    public JsonNode answerSchema(LlmRequest request) {
        if (request.jsonSchema() == null) {
            return null;
        }
        JsonNode schema;
        try {
            schema = json.readTree(request.jsonSchema());
        } catch (JsonProcessingException e) {
            throw failure(LlmFailure.INVALID_REQUEST, "the answer schema '" + request.schemaName()
                    + "' is not valid JSON: " + e.getOriginalMessage());
        }
        if (schema == null || !schema.isObject()) {
            throw failure(LlmFailure.INVALID_REQUEST, "the answer schema '" + request.schemaName()
                    + "' is not a JSON object");
        }
        return schema;
    }

    /**
     * @param wire a request record of the provider's wire format; not null
     * @return its JSON text
     */
    public String toJson(Object wire) {
        try {
            return json.writeValueAsString(wire);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the " + provider + " request", e);
        }
    }

    /**
     * Reads a 2xx body into the provider's response record, ignoring unknown properties.
     *
     * @param body   the body; not null
     * @param type   the response record
     * @param format the format's name for the message, for example {@code "Chat Completions"}
     * @param <T>    the response record's type
     * @return the response; never null
     * @throws LlmCallException ({@link LlmFailure#MALFORMED_RESPONSE}) if the body is empty, truncated or not
     *                          that shape, with the start of the body in the message
     */
    public <T> T readAnswer(String body, Class<T> type, String format) {
        T value;
        try {
            value = json.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw malformed("the answer is not a " + format + " JSON object (" + e.getOriginalMessage() + ")", body);
        }
        if (value == null) {
            throw malformed("the answer is empty", body);
        }
        return value;
    }

    /**
     * @param problem what is wrong with the answer
     * @param body    the answer body, whose start is quoted
     * @return a {@link LlmFailure#MALFORMED_RESPONSE} failure with secrets redacted
     */
    public LlmCallException malformed(String problem, String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        String preview = oneLine.isEmpty() ? "(empty)"
                : oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "...";
        return failure(LlmFailure.MALFORMED_RESPONSE, problem + "; body starts with: " + preview);
    }

    /**
     * @param kind    the kind of failure; not null
     * @param message what failed; secrets are redacted from it
     * @return a failure of this provider, without HTTP status, retryable as the kind says
     */
    public LlmCallException failure(LlmFailure kind, String message) {
        return new LlmCallException(provider, kind, redact(message), null, 0, null);
    }

    /**
     * Checks a configured URL, for provider builders.
     *
     * @param url     the URL to check
     * @param source  where the URL came from, for the message ({@code "environment"}, a builder name)
     * @param field   its field or variable ({@code "OPENAI_BASE_URL"}, {@code "baseUrl"})
     * @param example a valid example for the message
     * @return the URL
     * @throws InvalidInputException if it is not an absolute http(s) URL with a host
     */
    public static URI httpUrl(String url, String source, String field, String example) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(source, field, "'" + url + "' is not a URL (" + e.getReason()
                    + "); expected for example " + example);
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            throw new InvalidInputException(source, field, "'" + url + "' is not an http(s) URL; expected for "
                    + "example " + example);
        }
        return uri;
    }

    /**
     * Checks that a secret can be sent as an HTTP header value, for provider builders; the JDK's own rejection
     * would quote the value, and with it the key, in its message.
     *
     * @param secret the key, or {@code null}
     * @param source where it came from, for the message ({@code "environment"}, a builder name)
     * @param field  its variable or field ({@code "OPENAI_API_KEY"}, {@code "apiKey"})
     * @throws InvalidInputException naming the position of the first character outside visible ASCII, never
     *                               the key itself
     */
    public static void requireHeaderSafe(String secret, String source, String field) {
        if (secret == null) {
            return;
        }
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidInputException(source, field, "the key has a space, control or non-ASCII "
                        + "character at position " + (i + 1) + " of " + secret.length()
                        + "; copy the key again without it");
            }
        }
    }

    private String sendOnce(URI uri, Map<String, String> headers, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        headers.forEach((name, value) -> {
            try {
                request.header(name, value);
            } catch (IllegalArgumentException e) {
                // The JDK's message quotes the value, which may be a key: say only which header.
                throw new LlmCallException(provider, LlmFailure.INVALID_REQUEST, "the value of header " + name
                        + " is not allowed in HTTP", null, 0, null);
            }
        });
        long startNanos = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = httpClient.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new LlmCallException(provider, LlmFailure.TIMEOUT, "no answer from " + uri.getHost()
                    + " within " + describe(requestTimeout) + " (" + redact(e.getMessage()) + ")", null, 0, null);
        } catch (IOException e) {
            throw new LlmCallException(provider, LlmFailure.NETWORK, "could not reach " + uri.getHost() + ":"
                    + uri.getPort() + ": " + redact(String.valueOf(e.getMessage())), null, 0, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException(provider, LlmFailure.INTERRUPTED, "interrupted while waiting for "
                    + uri.getHost(), null, 0, e);
        }
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        int status = response.statusCode();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} POST {} -> HTTP {} in {} ms{}", provider, uri, status, millis,
                    response.headers().firstValue("x-request-id").map(id -> " (request id " + id + ")").orElse(""));
        }
        if (status >= 200 && status < 300) {
            return response.body() == null ? "" : response.body();
        }
        String body = response.body() == null ? "" : response.body();
        throw HttpFailures.fromResponse(provider, status, response.headers(), body, readLeniently(body),
                errorReader, clock, this::redact);
    }

    private JsonNode readLeniently(String body) {
        try {
            JsonNode node = json.readTree(body);
            return node == null ? MissingNode.getInstance() : node;
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    private Long waitBeforeRetry(int attempt, Throwable failure) {
        Duration hint = failure instanceof LlmException llm ? llm.retryAfter().orElse(null) : null;
        Duration wait = RetryDelays.delay(hint, attempt, initialRetryDelay, maxRetryDelay,
                ThreadLocalRandom.current().nextDouble());
        LOG.warn("{}: attempt {} of {} failed ({}); retrying in {} ms", provider, attempt, maxRetries + 1,
                failure == null ? "no exception" : redact(failure.getMessage()), wait.toMillis());
        // Resilience4j 2.x sleeps through one process-wide static function; waiting here through the injected
        // sleeper keeps waits per client and lets tests record them instead of sleeping. Resilience4j then
        // waits zero.
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmCallException(provider, LlmFailure.INTERRUPTED, "interrupted while waiting to retry",
                    null, 0, e);
        }
        return 0L;
    }

    private static boolean isRetryable(Throwable e) {
        return e instanceof LlmException llm && llm.retryable();
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }

    private static Duration notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "LlmHttpTransport[provider=" + provider + ", requestTimeout=" + requestTimeout + ", maxRetries="
                + maxRetries + ", maxRetryDelay=" + maxRetryDelay + ", secrets=" + secrets.size() + " redacted]";
    }

    /**
     * Configures an {@link LlmHttpTransport}. Not thread-safe; {@link #build()} copies everything.
     */
    public static final class Builder {
        private String provider;
        private HttpClient httpClient;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(120);
        private int maxRetries = 2;
        private Duration initialRetryDelay = Duration.ofMillis(500);
        private Duration maxRetryDelay = Duration.ofSeconds(8);
        private CircuitBreakerConfig circuitBreakerConfig;
        private ErrorBodyReader errorReader = (status, body) -> ProviderError.EMPTY;
        private final List<String> secrets = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.THREAD_SLEEP;

        private Builder() {
        }

        /**
         * @param provider the provider's short name for messages and logs, for example {@code "openai"}; required
         * @return this builder
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * @param httpClient the client to send with, or {@code null} (default) for a new one with
         *                   {@link #connectTimeout(Duration)}; an injected client keeps its own connect timeout
         * @return this builder
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /**
         * @param connectTimeout how long to wait for a connection; positive; default 10 s
         * @return this builder
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * @param requestTimeout how long one attempt may take until the response headers arrive; positive;
         *                       default 120 s (reasoning models think before answering)
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /**
         * @param maxRetries retries after the first attempt, for retryable failures only; 0 or more; default 2
         * @return this builder
         */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * @param initialRetryDelay the first backoff when the server gives no hint; default 500 ms
         * @return this builder
         */
        public Builder initialRetryDelay(Duration initialRetryDelay) {
            this.initialRetryDelay = initialRetryDelay;
            return this;
        }

        /**
         * @param maxRetryDelay the longest wait before a retry, server hints included; default 8 s
         * @return this builder
         */
        public Builder maxRetryDelay(Duration maxRetryDelay) {
            this.maxRetryDelay = maxRetryDelay;
            return this;
        }

        /**
         * @param circuitBreakerConfig the circuit breaker's window, threshold and open duration, or {@code null}
         *                             for the default (window 10 calls, at least 5, opens at 50% failures, stays
         *                             open 30 s); which exceptions count and the clock are always set here
         * @return this builder
         */
        public Builder circuitBreakerConfig(CircuitBreakerConfig circuitBreakerConfig) {
            this.circuitBreakerConfig = circuitBreakerConfig;
            return this;
        }

        /**
         * @param errorReader reads the provider's error bodies; default reads nothing (status only)
         * @return this builder
         */
        public Builder errorReader(ErrorBodyReader errorReader) {
            this.errorReader = errorReader;
            return this;
        }

        /**
         * @param secret a value (an API key) to redact from every message; ignored if null or blank
         * @return this builder
         */
        public Builder secret(String secret) {
            if (secret != null && !secret.isBlank()) {
                secrets.add(secret);
            }
            return this;
        }

        /**
         * @param clock the clock for HTTP-date retry hints and the circuit breaker; default system UTC
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @param sleeper how to wait between retries; default {@link Sleeper#THREAD_SLEEP}
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /**
         * @return the transport
         * @throws IllegalArgumentException if the provider is blank, a timeout is not positive, a delay is
         *                                  negative or {@code maxRetries} is negative
         */
        public LlmHttpTransport build() {
            return new LlmHttpTransport(this);
        }
    }
}
