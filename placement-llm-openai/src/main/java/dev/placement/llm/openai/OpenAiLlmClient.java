package dev.placement.llm.openai;

import dev.placement.api.InvalidInputException;
import dev.placement.api.LlmClient;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.ApiKey;
import dev.placement.llm.http.HttpLlmClientBuilder;
import dev.placement.llm.http.LlmCallException;
import dev.placement.llm.http.LlmHttpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link LlmClient} for OpenAI's Chat Completions API ({@code POST {baseUrl}/chat/completions}) and for
 * OpenAI-compatible servers such as vLLM, Ollama and llama.cpp's {@code llama-server}: point the base URL at
 * them (for example {@code http://127.0.0.1:8000/v1}); the API key is then optional.
 *
 * <p>A key goes only where it belongs. {@code OPENAI_API_KEY} from the environment is sent to the public API's
 * host and to {@code OPENAI_BASE_URL} (the pair the official SDKs read); a base URL set on the builder gets a key
 * only when one is named for it, with {@link Builder#apiKey(String)} or {@link Builder#apiKeyVariable(String)}.
 * No key is ever sent over plain {@code http} to a host other than a loopback address: building such a client
 * fails. {@link #apiKeyName()} says which key is sent.
 *
 * <p>The answer schema is sent as {@code response_format: json_schema} with {@code strict: true} by default;
 * {@link StructuredOutput} switches to {@code json_object} or to nothing for servers without it, and then the
 * schema is added to the instructions instead. Refusals ({@code message.refusal}), truncated answers
 * ({@code finish_reason: length}) and content-filtered answers fail with a non-retryable
 * {@link LlmCallException}; rate limits, 5xx, 408, 409, timeouts and I/O errors are retried (see
 * {@link HttpLlmClientBuilder}), a 429 with {@code insufficient_quota} is not.
 *
 * <p>Immutable and thread-safe. The API key never appears in {@link #toString()}, logs or exceptions.
 */
public final class OpenAiLlmClient implements LlmClient {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiLlmClient.class);

    /** The public API's base URL, used when neither the builder nor {@code OPENAI_BASE_URL} sets one. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
    /** The model asked when the builder sets none. */
    public static final String DEFAULT_MODEL = "gpt-5-mini";
    /** The public API's host: the one host {@code OPENAI_API_KEY} goes to without being named. */
    private static final String DEFAULT_HOST = "api.openai.com";

    /** How the answer schema is requested. */
    public enum StructuredOutput {
        /** {@code response_format: {type: json_schema, json_schema: {name, schema, strict: true}}} (default). */
        STRICT_SCHEMA,
        /** {@code response_format: {type: json_object}}; the schema goes into the instructions. */
        JSON_OBJECT,
        /** No {@code response_format}; the schema goes into the instructions. For servers that reject both. */
        NONE
    }

    /** The role of the instructions message. */
    public enum InstructionRole {
        /** {@code system}: what OpenAI-compatible servers (vLLM, Ollama, llama.cpp) expect (default). */
        SYSTEM("system"),
        /** {@code developer}: what OpenAI's reasoning models expect. */
        DEVELOPER("developer");

        /** The role's name on the wire. */
        final String wireName;

        InstructionRole(String wireName) {
            this.wireName = wireName;
        }
    }

    private final URI completionsUri;
    private final String baseUrl;
    private final String model;
    private final String apiKeyName;
    private final Map<String, String> headers;
    private final LlmHttpTransport transport;
    private final ChatDialogue dialogue;

    private OpenAiLlmClient(Builder b) {
        Map<String, String> env = b.environment;
        boolean baseUrlFromEnv = isBlank(b.baseUrl) && !isBlank(env.get("OPENAI_BASE_URL"));
        String base = firstNonBlank(b.baseUrl, env.get("OPENAI_BASE_URL"), DEFAULT_BASE_URL).strip();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.baseUrl = base;
        String urlSource = baseUrlFromEnv ? "environment" : "OpenAiLlmClient.builder()";
        String urlField = baseUrlFromEnv ? "OPENAI_BASE_URL" : "baseUrl";
        LlmHttpTransport.httpUrl(base, urlSource, urlField, DEFAULT_BASE_URL + " or http://127.0.0.1:8000/v1");
        this.completionsUri = URI.create(base + "/chat/completions");
        boolean publicApi = DEFAULT_HOST.equalsIgnoreCase(completionsUri.getHost());
        ApiKey key = ApiKey.named(b.apiKey, b.keyVariable(), env, base);
        if (key == null && !isBlank(env.get("OPENAI_API_KEY"))) {
            if (publicApi || baseUrlFromEnv) {
                // The official SDKs pair OPENAI_API_KEY with OPENAI_BASE_URL; a base URL set in code or on the
                // command line is another server, which gets the key only when it is named.
                key = new ApiKey("OPENAI_API_KEY", env.get("OPENAI_API_KEY"));
            } else {
                LOG.info("openai: not sending OPENAI_API_KEY to {}; name the key to send there explicitly", base);
            }
        }
        if (key == null && publicApi) {
            throw new InvalidInputException("environment", "OPENAI_API_KEY",
                    "no API key for " + base + "; set OPENAI_API_KEY, or set OPENAI_BASE_URL to a local "
                            + "OpenAI-compatible server such as http://127.0.0.1:8000/v1");
        }
        String apiKey = key == null ? null : key.value();
        if (key != null) {
            LlmHttpTransport.requireHeaderSafe(apiKey, "apiKey".equals(key.name()) ? "OpenAiLlmClient.builder()"
                    : "environment", key.name());
            LlmHttpTransport.requireKeySafeToSend(completionsUri, key.name(), urlSource, urlField);
        }
        this.apiKeyName = key == null ? null : key.name();
        this.model = firstNonBlank(b.model, DEFAULT_MODEL).strip();
        Map<String, String> h = new LinkedHashMap<>();
        if (apiKey != null) {
            h.put("Authorization", "Bearer " + apiKey);
        }
        String organization = firstNonBlank(b.organization, env.get("OPENAI_ORG_ID"));
        if (organization != null) {
            h.put("OpenAI-Organization", organization.strip());
        }
        String project = firstNonBlank(b.project, env.get("OPENAI_PROJECT_ID"));
        if (project != null) {
            h.put("OpenAI-Project", project.strip());
        }
        this.headers = Map.copyOf(h);
        if (b.maxCompletionTokens != null && b.maxCompletionTokens < 1) {
            throw new InvalidInputException("OpenAiLlmClient.builder()", "maxCompletionTokens",
                    "must be at least 1, got " + b.maxCompletionTokens);
        }
        this.transport = b.transport(model, new OpenAiErrorReader(), apiKey);
        this.dialogue = new ChatDialogue(transport, model,
                Objects.requireNonNull(b.structuredOutput, "structuredOutput"),
                Objects.requireNonNull(b.instructionRole, "instructionRole"),
                isBlank(b.reasoningEffort) ? null : b.reasoningEffort.strip(), b.maxCompletionTokens);
    }

    /** @return a builder with no environment: base URL, key and model come only from its setters */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return a builder that falls back to {@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY},
     *         {@code OPENAI_ORG_ID} and {@code OPENAI_PROJECT_ID} from the process environment
     */
    public static Builder fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * @param environment the variables to read {@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY},
     *                    {@code OPENAI_ORG_ID} and {@code OPENAI_PROJECT_ID} from (the official SDKs' names); not
     *                    null
     * @return a builder that falls back to these variables when its setters leave a value unset
     */
    public static Builder fromEnvironment(Map<String, String> environment) {
        return new Builder().environment(environment);
    }

    @Override
    public String provider() {
        return "openai";
    }

    @Override
    public String model() {
        return model;
    }

    /** @return the base URL requests go to, without a trailing slash, for example {@code https://api.openai.com/v1} */
    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Says which key this client sends, never the key itself.
     *
     * @return {@code "apiKey"} for a key set on the builder, the name of the environment variable it came from
     *         (for example {@code OPENAI_API_KEY}), or {@code null} when no key is sent
     */
    public String apiKeyName() {
        return apiKeyName;
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        Objects.requireNonNull(request, "request");
        String body = dialogue.requestBody(request);
        LOG.debug("openai: asking {} at {} (structured output {}, schema {})", model, baseUrl,
                dialogue.structuredOutput(), request.jsonSchema() == null ? "none" : request.schemaName());
        return transport.complete(completionsUri, headers, body, dialogue::parse);
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
        return "OpenAiLlmClient[model=" + model + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKeyName == null ? "none" : apiKeyName)
                + ", structuredOutput=" + dialogue.structuredOutput() + ", instructionRole="
                + dialogue.instructionRole() + (dialogue.reasoningEffort() == null ? ""
                        : ", reasoningEffort=" + dialogue.reasoningEffort()) + "]";
    }

    /**
     * Configures an {@link OpenAiLlmClient}. Values set here win over the environment given to
     * {@link OpenAiLlmClient#fromEnvironment(Map)}, which wins over the defaults. Not thread-safe.
     */
    public static final class Builder extends HttpLlmClientBuilder<Builder> {
        private Map<String, String> environment = Map.of();
        private String baseUrl;
        private String apiKey;
        private String model;
        private String organization;
        private String project;
        private StructuredOutput structuredOutput = StructuredOutput.STRICT_SCHEMA;
        private InstructionRole instructionRole = InstructionRole.SYSTEM;
        private String reasoningEffort;
        private Integer maxCompletionTokens;

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        private String keyVariable() {
            return apiKeyVariable();
        }

        private LlmHttpTransport transport(String model, OpenAiErrorReader errorReader, String apiKey) {
            return buildTransport("openai", model, errorReader, apiKey);
        }

        /**
         * @param environment variables to fall back to ({@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY},
         *                    {@code OPENAI_ORG_ID}, {@code OPENAI_PROJECT_ID}); not null; copied
         * @return this builder
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /**
         * @param baseUrl the API's base URL including the version path, for example
         *                {@code http://127.0.0.1:11434/v1} for Ollama; default {@code OPENAI_BASE_URL}, else
         *                {@value OpenAiLlmClient#DEFAULT_BASE_URL}
         * @return this builder
         */
        public Builder baseUrl(String baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * @param apiKey the API key, sent as {@code Authorization: Bearer} to whatever base URL is set (never over
         *               plain http to a non-loopback host); default {@code OPENAI_API_KEY} for the public API and
         *               {@code OPENAI_BASE_URL}, else none; required for the public API
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * @param model the model to ask, for example {@code gpt-5-mini} or the name a vLLM server serves;
         *              default {@value OpenAiLlmClient#DEFAULT_MODEL}
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * @param organization sent as {@code OpenAI-Organization}; default {@code OPENAI_ORG_ID}, else none
         * @return this builder
         */
        public Builder organization(String organization) {
            this.organization = organization;
            return this;
        }

        /**
         * @param project sent as {@code OpenAI-Project}; default {@code OPENAI_PROJECT_ID}, else none
         * @return this builder
         */
        public Builder project(String project) {
            this.project = project;
            return this;
        }

        /**
         * @param structuredOutput how the answer schema is requested; default
         *                         {@link StructuredOutput#STRICT_SCHEMA}
         * @return this builder
         */
        public Builder structuredOutput(StructuredOutput structuredOutput) {
            this.structuredOutput = structuredOutput;
            return this;
        }

        /**
         * @param instructionRole the role of the instructions message; default {@link InstructionRole#SYSTEM}
         *                        (use {@link InstructionRole#DEVELOPER} for OpenAI reasoning models)
         * @return this builder
         */
        public Builder instructionRole(InstructionRole instructionRole) {
            this.instructionRole = instructionRole;
            return this;
        }

        /**
         * @param reasoningEffort sent as {@code reasoning_effort} only when set, for example {@code "low"}; kept
         *                        as text because the values grow ({@code none minimal low medium high xhigh max})
         *                        and not every model accepts every value; default not sent
         * @return this builder
         */
        public Builder reasoningEffort(String reasoningEffort) {
            this.reasoningEffort = reasoningEffort;
            return this;
        }

        /**
         * @param maxCompletionTokens sent as {@code max_completion_tokens}, which counts reasoning tokens too;
         *                            at least 1, or {@code null} (default) to let the server decide
         * @return this builder
         */
        public Builder maxCompletionTokens(Integer maxCompletionTokens) {
            this.maxCompletionTokens = maxCompletionTokens;
            return this;
        }

        /**
         * @return the client
         * @throws InvalidInputException    if the base URL is not an http(s) URL, no API key is set for the
         *                                  public API (the message says to set {@code OPENAI_API_KEY}), a named
         *                                  key variable is unset, or a key would go over plain http to a host
         *                                  other than a loopback address
         * @throws IllegalArgumentException if a transport setting is out of range
         */
        public OpenAiLlmClient build() {
            return new OpenAiLlmClient(this);
        }
    }
}
