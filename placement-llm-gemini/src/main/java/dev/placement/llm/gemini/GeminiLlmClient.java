package dev.placement.llm.gemini;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LlmClient;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.ApiKey;
import dev.placement.llm.http.HttpLlmClientBuilder;
import dev.placement.llm.http.LlmCallException;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.LlmHttpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An {@link LlmClient} for the Gemini API: {@code POST {baseUrl}/v1beta/models/{model}:generateContent} with the
 * key in the {@code x-goog-api-key} header (never in the URL, where it would reach access logs). The
 * instructions go into {@code systemInstruction}; an answer schema is sent as
 * {@code generationConfig.responseJsonSchema} (plain JSON Schema, the same document as for OpenAI) with
 * {@code responseMimeType: application/json}. Thinking is configured with a level (Gemini 3) or a token budget
 * (Gemini 2.5), never both.
 *
 * <p>Thought parts ({@code "thought": true}) are skipped. A blocked prompt ({@code promptFeedback.blockReason}),
 * a safety-type {@code finishReason} (SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, ...) and
 * {@code MAX_TOKENS} fail with non-retryable {@link LlmCallException}s. A 429 {@code RESOURCE_EXHAUSTED} is
 * retried after its {@code RetryInfo.retryDelay} unless its {@code QuotaFailure} names a per-day quota.
 *
 * <p>A key goes only where it belongs: {@code GOOGLE_API_KEY} or {@code GEMINI_API_KEY} from the environment only
 * to Google's host; another base URL needs a key named for it ({@link Builder#apiKey(String)} or
 * {@link Builder#apiKeyVariable(String)}), and no key is sent over plain {@code http} to a host other than a
 * loopback address. {@link #apiKeyName()} says which key is sent.
 *
 * <p>Immutable and thread-safe. The API key never appears in {@link #toString()}, logs or exceptions.
 */
public final class GeminiLlmClient implements LlmClient {
    private static final Logger LOG = LoggerFactory.getLogger(GeminiLlmClient.class);

    /** The Gemini API's base URL, used when the builder sets none. */
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
    /** The model asked when the builder sets none. */
    public static final String DEFAULT_MODEL = "gemini-2.5-flash";
    /** The one host Google's key variables are sent to without being named. */
    private static final String DEFAULT_HOST = "generativelanguage.googleapis.com";

    private static final Set<String> SUCCESS_FINISH = Set.of("STOP", "FINISH_REASON_UNSPECIFIED");
    private static final Set<String> BLOCKED_FINISH = Set.of("SAFETY", "RECITATION", "LANGUAGE", "BLOCKLIST",
            "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION");

    private final URI generateUri;
    private final String baseUrl;
    private final String model;
    private final String apiKeyName;
    private final Map<String, String> headers;
    private final GenerationSettings generation;
    private final LlmHttpTransport transport;

    private GeminiLlmClient(Builder b) {
        Map<String, String> env = b.environment;
        String base = firstNonBlank(b.baseUrl, DEFAULT_BASE_URL).strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.baseUrl = base;
        URI baseUri = LlmHttpTransport.httpUrl(base, "GeminiLlmClient.builder()", "baseUrl", DEFAULT_BASE_URL);
        boolean publicApi = DEFAULT_HOST.equalsIgnoreCase(baseUri.getHost());
        ApiKey key = ApiKey.named(b.apiKey, b.keyVariable(), env, base);
        if (key == null) {
            String variable = !isBlank(env.get("GOOGLE_API_KEY")) ? "GOOGLE_API_KEY"
                    : !isBlank(env.get("GEMINI_API_KEY")) ? "GEMINI_API_KEY" : null;
            if (variable == null) {
                throw new InvalidInputException("environment", "GEMINI_API_KEY",
                        "no API key for Gemini; set GEMINI_API_KEY (or GOOGLE_API_KEY) to a key from "
                                + "https://aistudio.google.com/app/apikey");
            }
            if (!publicApi) {
                // Google's variables hold keys for Google's host; another server gets a key only when named.
                throw new InvalidInputException("GeminiLlmClient.builder()", "baseUrl", variable + " is sent only "
                        + "to " + DEFAULT_HOST + ", not to " + baseUri.getHost() + "; name the key to send there "
                        + "explicitly (apiKey, apiKeyVariable or --llm-api-key-env)");
            }
            if (variable.equals("GOOGLE_API_KEY") && !isBlank(env.get("GEMINI_API_KEY"))) {
                LOG.info("gemini: both GOOGLE_API_KEY and GEMINI_API_KEY are set; using GOOGLE_API_KEY, as Google's "
                        + "SDKs do");
            }
            key = new ApiKey(variable, env.get(variable));
        }
        String apiKey = key.value();
        LlmHttpTransport.requireHeaderSafe(apiKey, "apiKey".equals(key.name()) ? "GeminiLlmClient.builder()"
                : "environment", key.name());
        LlmHttpTransport.requireKeySafeToSend(baseUri, key.name(), "GeminiLlmClient.builder()", "baseUrl");
        this.apiKeyName = key.name();
        String name = firstNonBlank(b.model, DEFAULT_MODEL).strip();
        if (name.startsWith("models/")) {
            name = name.substring("models/".length());
        }
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new InvalidInputException("GeminiLlmClient.builder()", "model", "'" + name + "' is not a "
                    + "Gemini model name; expected for example " + DEFAULT_MODEL + " or gemini-3-pro-preview");
        }
        this.model = name;
        this.generateUri = URI.create(base + "/v1beta/models/" + name + ":generateContent");
        this.headers = Map.of("x-goog-api-key", apiKey);
        this.generation = GenerationSettings.resolve(name, b.thinkingLevel, b.thinkingBudget, b.reasoningEffort,
                b.maxOutputTokens);
        this.transport = b.transport(name, new GeminiErrorReader(), apiKey);
    }

    /** @return a builder with no environment: the key must be set with {@link Builder#apiKey(String)} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that falls back to {@code GOOGLE_API_KEY} or {@code GEMINI_API_KEY} from the process */
    public static Builder fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * @param environment the variables to read {@code GOOGLE_API_KEY} and {@code GEMINI_API_KEY} from (the
     *                    first wins when both are set, as in Google's SDKs); not null
     * @return a builder that falls back to these variables when no key is set on it
     */
    public static Builder fromEnvironment(Map<String, String> environment) {
        return new Builder().environment(environment);
    }

    @Override
    public String provider() {
        return "gemini";
    }

    @Override
    public String model() {
        return model;
    }

    /**
     * Says which key this client sends, never the key itself.
     *
     * @return {@code "apiKey"} for a key set on the builder, else the environment variable it came from (for
     *         example {@code GEMINI_API_KEY}); never null, since Gemini needs a key
     */
    public String apiKeyName() {
        return apiKeyName;
    }

    /** @return the base URL requests go to, without a trailing slash */
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        Objects.requireNonNull(request, "request");
        String body = requestBody(request);
        LOG.debug("gemini: asking {} at {} (schema {})", model, baseUrl,
                request.jsonSchema() == null ? "none" : request.schemaName());
        return transport.complete(generateUri, headers, body, this::parse);
    }

    private String requestBody(LlmRequest request) {
        JsonNode schema = transport.answerSchema(request);
        return transport.toJson(GenerateContent.Request.of(request.systemText(), request.userText(),
                generation.config(schema)));
    }

    private LlmResponse parse(String body) {
        GenerateContent.Response response = transport.readAnswer(body, GenerateContent.Response.class,
                "generateContent");
        if (response.candidates() == null || response.candidates().isEmpty()) {
            String blockReason = response.promptFeedback() == null ? null : response.promptFeedback().blockReason();
            if (blockReason != null) {
                throw transport.failure(LlmFailure.BLOCKED, "the prompt was blocked (promptFeedback.blockReason "
                        + blockReason + ")");
            }
            throw transport.malformed("the answer has no candidates", body);
        }
        GenerateContent.Candidate candidate = response.candidates().get(0);
        String finish = candidate.finishReason();
        if ("MAX_TOKENS".equals(finish)) {
            Integer limit = generation.maxOutputTokens();
            throw transport.failure(LlmFailure.TRUNCATED, "the answer hit the token limit (finishReason MAX_TOKENS"
                    + (limit == null ? "" : ", maxOutputTokens " + limit)
                    + "); raise maxOutputTokens, which also counts thinking tokens");
        }
        if (finish != null && BLOCKED_FINISH.contains(finish)) {
            throw transport.failure(LlmFailure.BLOCKED, "the answer was withheld (finishReason " + finish + ")");
        }
        if (finish != null && !SUCCESS_FINISH.contains(finish)) {
            throw transport.failure(LlmFailure.MALFORMED_RESPONSE, "the answer ended abnormally (finishReason " + finish
                    + ")");
        }
        String text = candidate.answerText();
        if (text == null) {
            throw transport.failure(LlmFailure.MALFORMED_RESPONSE, "the first candidate has no answer text "
                    + "(finishReason " + finish + ")");
        }
        GenerateContent.UsageMetadata usage = response.usageMetadata();
        return new LlmResponse(text, response.modelVersion() != null ? response.modelVersion() : model,
                usage == null ? 0 : usage.promptTokens(), usage == null ? 0 : usage.completionTokens());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (!isBlank(v)) {
                return v;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "GeminiLlmClient[model=" + model + ", baseUrl=" + baseUrl + ", apiKey=" + apiKeyName
                + generation.describeThinking() + "]";
    }

    /**
     * Configures a {@link GeminiLlmClient}. A key set here wins over the environment given to
     * {@link GeminiLlmClient#fromEnvironment(Map)}. Not thread-safe.
     */
    public static final class Builder extends HttpLlmClientBuilder<Builder> {
        private Map<String, String> environment = Map.of();
        private String baseUrl;
        private String apiKey;
        private String model;
        private String thinkingLevel;
        private Integer thinkingBudget;
        private String reasoningEffort;
        private Integer maxOutputTokens;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        private String keyVariable() {
            return apiKeyVariable();
        }

        private LlmHttpTransport transport(String model, GeminiErrorReader errorReader, String key) {
            return buildTransport("gemini", model, errorReader, key);
        }

        /**
         * @param environment variables to read the key from ({@code GOOGLE_API_KEY}, then
         *                    {@code GEMINI_API_KEY}); not null; copied
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /**
         * @param baseUrl the API's base URL without the version, default {@value GeminiLlmClient#DEFAULT_BASE_URL}
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * @param apiKey the API key, sent as {@code x-goog-api-key} to whatever base URL is set (never over plain
         *               http to a non-loopback host); default {@code GOOGLE_API_KEY} or {@code GEMINI_API_KEY},
         *               for Google's host only; required
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * @param model the model, with or without the {@code models/} prefix, for example
         *              {@code gemini-2.5-flash}; default {@value GeminiLlmClient#DEFAULT_MODEL}
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * @param thinkingLevel {@code thinkingConfig.thinkingLevel} for Gemini 3 models ({@code MINIMAL},
         *                      {@code LOW}, {@code MEDIUM}, {@code HIGH}, sent in upper case; a family takes only
         *                      some, e.g. Gemini 3 Pro {@code LOW} and {@code HIGH}, and {@link #build()} refuses
         *                      the others), or {@code null} (default) for the model's default; not together with
         *                      a thinking budget
         * @return this builder
         */
        public Builder thinkingLevel(String thinkingLevel) {
            this.thinkingLevel = thinkingLevel;
            return this;
        }

        /**
         * @param thinkingBudget {@code thinkingConfig.thinkingBudget} in tokens for Gemini 2.5 models: 0 turns
         *                       thinking off (Flash, Flash-Lite), -1 is dynamic; {@code null} (default) for the
         *                       model's default; not together with a thinking level
         * @return this builder
         */
        public Builder thinkingBudget(Integer thinkingBudget) {
            this.thinkingBudget = thinkingBudget;
            return this;
        }

        /**
         * A provider-neutral alternative to the two thinking settings: for Gemini 3 models ({@code gemini-3*}) it
         * becomes the thinking level, the asked one where the model's family takes it, else the next one up that
         * it takes ({@code none} and {@code minimal} ask for the least: {@code MINIMAL} on Flash, {@code LOW} on
         * Pro; {@code medium} on Gemini 3 Pro gives {@code HIGH}); for others (Gemini 2.5) the thinking budget
         * Google's OpenAI-compatible endpoint uses ({@code none} 0, {@code low} 1024, {@code medium} 8192,
         * {@code high} 24576 tokens).
         *
         * @param reasoningEffort {@code none}, {@code minimal} (Gemini 3 only), {@code low}, {@code medium} or
         *                        {@code high}, or {@code null} (default) for the model's default; not together
         *                        with {@link #thinkingLevel(String)} or {@link #thinkingBudget(Integer)}
         * @return this builder
         */
        public Builder reasoningEffort(String reasoningEffort) {
            this.reasoningEffort = reasoningEffort;
            return this;
        }

        /**
         * @param maxOutputTokens {@code generationConfig.maxOutputTokens}, which counts thinking tokens too; at
         *                        least 1, or {@code null} (default) for the model's limit
         * @return this builder
         */
        public Builder maxOutputTokens(Integer maxOutputTokens) {
            this.maxOutputTokens = maxOutputTokens;
            return this;
        }

        /**
         * @return the client
         * @throws InvalidInputException    if no key is set (the message names {@code GEMINI_API_KEY}), the base
         *                                  URL or model name is malformed, thinking settings conflict, or the
         *                                  reasoning effort is unknown, the environment's key would go to a
         *                                  host other than Google's without being named, a named key variable
         *                                  is unset, or a key would go over plain http to a non-loopback host
         * @throws IllegalArgumentException if a transport setting is out of range
         */
        public GeminiLlmClient build() {
            return new GeminiLlmClient(this);
        }
    }
}
