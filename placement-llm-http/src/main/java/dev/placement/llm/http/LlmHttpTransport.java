package dev.placement.llm.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Sends one JSON request to an LLM provider and returns the body of its 2xx answer: the transport shared by the
 * provider modules. Each attempt has a request timeout; retryable failures ({@link LlmFailure#retryable()}:
 * 408, 409, 429, 5xx, I/O, timeouts) are retried with Resilience4j, waiting the server's hint
 * ({@code Retry-After-Ms}, {@code Retry-After}, or a hint in the error body such as Gemini's
 * {@code RetryInfo.retryDelay}) clamped to a ceiling, otherwise exponential backoff with jitter; everything else
 * fails at once. A circuit breaker counts retryable failures and, once open, fails calls without sending them.
 * Every call, attempt, retry and state change of the breaker is told to the {@link LlmCallListener}s given to the
 * builder.
 *
 * <p>It also reads and writes the providers' JSON (unknown properties ignored) and builds their typed failures,
 * so each provider module holds only its wire records and its rules.
 *
 * <p>Header values are never logged and configured secrets (API keys) are redacted from every message and from
 * every answer, so keys reach neither logs, exceptions nor what is built from an answer. Built with
 * {@link #builder()}; immutable and thread-safe.
 */
public final class LlmHttpTransport {
    // Each part holds one responsibility, so this class stays the small face the provider modules call.
    private final TransportSettings settings;
    private final ProviderFailures failures;
    private final WireJson json;
    private final ResiliencePolicy resilience;
    private final CallRunner calls;

    private LlmHttpTransport(Builder b) {
        this.settings = new TransportSettings(b.provider, b.model, b.httpClient, b.connectTimeout, b.requestTimeout,
                b.maxRetries, b.initialRetryDelay, b.maxRetryDelay, b.circuitBreaker, b.errorReader, b.clock,
                b.sleeper, b.listeners);
        this.failures = new ProviderFailures(settings.provider(), b.secrets);
        this.json = new WireJson(failures);
        CallListeners listeners = new CallListeners(settings.listeners());
        this.resilience = new ResiliencePolicy(settings, failures, listeners);
        this.calls = new CallRunner(settings, failures, new HttpExchange(settings, failures, json), resilience,
                listeners);
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
     * @return the response body of the first 2xx answer with every configured secret replaced by {@code ***}
     *         (a model may repeat a key it was shown), so that nothing built from the answer can carry one;
     *         never null
     * @throws LlmCallException for any failure: the last one if retries ran out, or the first non-retryable
     *                          one, or {@link LlmFailure#CIRCUIT_OPEN} when the circuit breaker refuses the call
     */
    public String postJson(URI uri, Map<String, String> headers, String jsonBody) {
        return calls.run(uri, headers, jsonBody, body -> body, null);
    }

    /**
     * Posts a JSON body and reads the 2xx answer with the provider's reader, as {@link #postJson} does; the
     * listeners hear the call's outcome once the answer is read, with the token usage the reader found, and a
     * reader's failure (a refusal, a truncated answer) as the call's error.
     *
     * @param uri      where to post; not null
     * @param headers  extra request headers; values are never logged; not null
     * @param jsonBody the request body; not null
     * @param reader   reads the redacted 2xx body into the answer; throws {@link LlmCallException} for an answer
     *                 that is not one; not null
     * @return the reader's answer
     * @throws LlmCallException as {@link #postJson}, or the reader's failure
     */
    public LlmResponse complete(URI uri, Map<String, String> headers, String jsonBody,
                                Function<String, LlmResponse> reader) {
        Objects.requireNonNull(reader, "reader");
        return calls.run(uri, headers, jsonBody, reader, r -> r);
    }

    /** @return the circuit breaker's state, for diagnostics and tests; never null */
    public CircuitState circuitState() {
        return resilience.state();
    }

    /**
     * Removes every configured secret from a text, for messages built from what a server echoed back.
     *
     * @param text any text, or {@code null}
     * @return the text with secrets replaced by {@code ***}, or {@code null}
     */
    public String redact(String text) {
        return failures.redact(text);
    }

    /**
     * Reads a request's answer schema.
     *
     * @param request the request; not null
     * @return the schema as a JSON object, or {@code null} if the request asks for free text
     * @throws LlmCallException ({@link LlmFailure#INVALID_REQUEST}) if the schema is not a JSON object
     */
    public JsonNode answerSchema(LlmRequest request) {
        return json.answerSchema(request);
    }

    /**
     * @param wire a request record of the provider's wire format; not null
     * @return its JSON text
     */
    public String toJson(Object wire) {
        return json.write(wire);
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
        return json.readAnswer(body, type, format);
    }

    /**
     * @param problem what is wrong with the answer
     * @param body    the answer body, whose start is quoted
     * @return a {@link LlmFailure#MALFORMED_RESPONSE} failure with secrets redacted
     */
    public LlmCallException malformed(String problem, String body) {
        return failures.malformed(problem, body);
    }

    /**
     * @param kind    the kind of failure; not null
     * @param message what failed; secrets are redacted from it
     * @return a failure of this provider, without HTTP status, retryable as the kind says
     */
    public LlmCallException failure(LlmFailure kind, String message) {
        return failures.redacted(kind, message);
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
        return UrlChecks.httpUrl(url, source, field, example);
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
        UrlChecks.requireHeaderSafe(secret, source, field);
    }

    /**
     * Checks that a key may be sent to a URL: never over plain {@code http} to a host other than a loopback
     * address, where anyone on the path could read it. For provider builders; no name is resolved.
     *
     * @param uri     where the key would go; not null
     * @param keyName the key's variable or field, for the message ({@code "OPENAI_API_KEY"}); never its value
     * @param source  where the URL came from, for the message ({@code "environment"}, a builder name)
     * @param field   the URL's variable or field ({@code "OPENAI_BASE_URL"}, {@code "baseUrl"})
     * @throws InvalidInputException naming the key, the host and what would be valid
     */
    public static void requireKeySafeToSend(URI uri, String keyName, String source, String field) {
        if ("http".equalsIgnoreCase(uri.getScheme()) && !isLoopback(uri)) {
            throw new InvalidInputException(source, field, "refusing to send the API key " + keyName
                    + " over plain http to " + uri.getHost() + "; use https, a loopback address such as 127.0.0.1, "
                    + "or no key");
        }
    }

    /**
     * @param uri a URL with a host; not null
     * @return whether its host is {@code localhost} or a loopback IP literal ({@code 127.0.0.0/8}, {@code ::1});
     *         decided from the text alone, so a name that merely resolves to a loopback address is not one
     */
    public static boolean isLoopback(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.equals("localhost") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")
                || host.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    }

    @Override
    public String toString() {
        return "LlmHttpTransport[provider=" + settings.provider() + ", requestTimeout=" + settings.requestTimeout()
                + ", maxRetries=" + settings.maxRetries() + ", maxRetryDelay=" + settings.maxRetryDelay()
                + ", secrets=" + failures.secretCount() + " redacted]";
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
        private CircuitBreakerSettings circuitBreaker;
        private String model;
        private final List<LlmCallListener> listeners = new ArrayList<>();
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
         * @param circuitBreaker the circuit breaker's window, threshold and open duration, or {@code null} for
         *                       {@link CircuitBreakerSettings#defaults()}; which failures count (retryable ones)
         *                       and the clock are always set here
         * @return this builder
         */
        public Builder circuitBreaker(CircuitBreakerSettings circuitBreaker) {
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        /**
         * @param model the model the client asks, named in the listeners' events; {@code null} or blank (default)
         *              for {@code "unknown"}
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * @param listener hears every call, attempt, retry and circuit-breaker change; may be given several times
         * @return this builder
         * @throws NullPointerException if the listener is null
         */
        public Builder listener(LlmCallListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
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
