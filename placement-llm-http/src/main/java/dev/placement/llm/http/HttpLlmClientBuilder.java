package dev.placement.llm.http;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

/**
 * The transport settings every HTTP LLM client builder offers (timeouts, retries, circuit breaker, call listeners,
 * and the seams for tests), so the provider builders declare only their own settings. Not thread-safe; a built
 * client copies what it needs.
 *
 * @param <B> the concrete builder, returned by every setter for chaining
 */
public abstract class HttpLlmClientBuilder<B extends HttpLlmClientBuilder<B>> {
    private final LlmHttpTransport.Builder transport = LlmHttpTransport.builder();
    private String apiKeyVariable;

    /** For subclasses. */
    protected HttpLlmClientBuilder() {
    }

    /** @return this builder as its concrete type */
    protected abstract B self();

    /**
     * Names the environment variable whose value is the key to send to the base URL, whatever its host: the way
     * to send a key to a server other than the provider's public API, whose own variables go only there. A key
     * set directly on the builder wins over it.
     *
     * @param name a variable of the builder's environment, for example {@code OPENAI_API_KEY} or
     *             {@code VLLM_API_KEY}; {@code null} to unset
     * @return this builder
     * @throws IllegalArgumentException if the name is not a variable name (letters, digits, underscores)
     */
    public B apiKeyVariable(String name) {
        if (name != null && !ApiKey.isVariableName(name)) {
            throw new IllegalArgumentException("'" + name + "' is not an environment variable name");
        }
        this.apiKeyVariable = name;
        return self();
    }

    /** @return the variable named by {@link #apiKeyVariable(String)}, or {@code null} */
    protected final String apiKeyVariable() {
        return apiKeyVariable;
    }

    /**
     * @param httpClient the client to send with, or {@code null} (default) for a new one with
     *                   {@link #connectTimeout(Duration)}; an injected client keeps its own connect timeout
     * @return this builder
     */
    public B httpClient(HttpClient httpClient) {
        transport.httpClient(httpClient);
        return self();
    }

    /**
     * @param connectTimeout how long to wait for a connection; positive; default 10 s
     * @return this builder
     */
    public B connectTimeout(Duration connectTimeout) {
        transport.connectTimeout(connectTimeout);
        return self();
    }

    /**
     * @param requestTimeout how long one attempt may take until the response arrives; positive; default 120 s
     *                       (reasoning models think before answering)
     * @return this builder
     */
    public B requestTimeout(Duration requestTimeout) {
        transport.requestTimeout(requestTimeout);
        return self();
    }

    /**
     * @param maxRetries retries after the first attempt, for retryable failures only (408, 409, 429 rate limits,
     *                   5xx, I/O, timeouts); 0 or more; default 2
     * @return this builder
     */
    public B maxRetries(int maxRetries) {
        transport.maxRetries(maxRetries);
        return self();
    }

    /**
     * @param initialRetryDelay the first backoff when the server gives no retry hint (doubles per retry, with
     *                          up to 25% jitter); not negative; default 500 ms
     * @return this builder
     */
    public B initialRetryDelay(Duration initialRetryDelay) {
        transport.initialRetryDelay(initialRetryDelay);
        return self();
    }

    /**
     * @param maxRetryDelay the longest wait before a retry, server hints included (as the official OpenAI SDK
     *                      does); not negative; default 8 s
     * @return this builder
     */
    public B maxRetryDelay(Duration maxRetryDelay) {
        transport.maxRetryDelay(maxRetryDelay);
        return self();
    }

    /**
     * @param circuitBreaker window, threshold and open duration of the circuit breaker, or {@code null} for
     *                       {@link CircuitBreakerSettings#defaults()} (window 10 calls, judged from 5, opens at 50%
     *                       retryable failures, stays open 30 s)
     * @return this builder
     */
    public B circuitBreaker(CircuitBreakerSettings circuitBreaker) {
        transport.circuitBreaker(circuitBreaker);
        return self();
    }

    /**
     * Adds a listener that hears every call the client makes: each attempt, retry, answer (with its token usage)
     * or failure, and each change of the circuit breaker's state; see {@link LlmCallListener}. May be called
     * several times; a listener that throws is logged at WARN and the call goes on.
     *
     * @param listener the listener; not null
     * @return this builder
     * @throws NullPointerException if the listener is null
     */
    public B listener(LlmCallListener listener) {
        transport.listener(listener);
        return self();
    }

    /**
     * @param clock the clock for HTTP-date retry hints and the circuit breaker; not null; default system UTC
     * @return this builder
     */
    public B clock(Clock clock) {
        transport.clock(clock);
        return self();
    }

    /**
     * @param sleeper how to wait between retries; not null; default {@link Sleeper#THREAD_SLEEP}
     * @return this builder
     */
    public B sleeper(Sleeper sleeper) {
        transport.sleeper(sleeper);
        return self();
    }

    /**
     * Builds the transport with the settings above; its listeners' events name the model {@code "unknown"}.
     *
     * @param provider    the provider's short name
     * @param errorReader reads the provider's error bodies
     * @param apiKey      the key to redact from every message, or {@code null}
     * @return the transport
     */
    protected final LlmHttpTransport buildTransport(String provider, ErrorBodyReader errorReader, String apiKey) {
        return buildTransport(provider, null, errorReader, apiKey);
    }

    /**
     * Builds the transport with the settings above.
     *
     * @param provider    the provider's short name
     * @param model       the model the client asks, named in the listeners' events, or {@code null}
     * @param errorReader reads the provider's error bodies
     * @param apiKey      the key to redact from every message, or {@code null}
     * @return the transport
     */
    protected final LlmHttpTransport buildTransport(String provider, String model, ErrorBodyReader errorReader,
                                                    String apiKey) {
        return transport.provider(provider).model(model).errorReader(errorReader).secret(apiKey).build();
    }
}
