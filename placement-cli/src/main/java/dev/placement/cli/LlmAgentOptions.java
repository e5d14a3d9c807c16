package dev.placement.cli;

import dev.placement.api.AgentProposal;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LlmClient;
import dev.placement.api.PlacementAgent;
import dev.placement.core.PerformanceModel;
import dev.placement.core.llm.GuardedPlacementAgent;
import dev.placement.core.llm.LlmPlacementAgent;
import dev.placement.api.PlacementHistory;
import dev.placement.core.llm.PromptTemplate;
import dev.placement.llm.gemini.GeminiLlmClient;
import dev.placement.llm.http.ApiKey;
import dev.placement.llm.openai.OpenAiLlmClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * The options that configure an LLM agent ({@code --agent openai|gemini}) and the guard around it; a picocli
 * mixin for commands that choose placements. API keys come only from the environment ({@code OPENAI_API_KEY};
 * {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY}), never from options, so that they stay out of shell
 * history and process lists. The provider's own variable goes only to the provider's public host (and, for
 * OpenAI, to {@code OPENAI_BASE_URL}); a server named with {@code --llm-base-url} gets a key only from the
 * variable {@code --llm-api-key-env} names. Not thread-safe (picocli fills it once per run).
 */
final class LlmAgentOptions {

    /** The {@code --agent} values this class builds. */
    static final List<String> PROVIDERS = List.of("openai", "gemini");

    @Option(names = "--llm-model", paramLabel = "MODEL",
            description = "With --agent openai|gemini: the model to ask (default gpt-5-mini for openai, "
                    + "gemini-2.5-flash for gemini).")
    String model;

    @Option(names = "--llm-base-url", paramLabel = "URL",
            description = "With --agent openai|gemini: the API's base URL, e.g. http://127.0.0.1:8000/v1 for a "
                    + "local vLLM, Ollama or llama.cpp server (default OPENAI_BASE_URL, else the public API; "
                    + "a local server needs no key; it gets one only with --llm-api-key-env).")
    String baseUrl;

    @Option(names = "--llm-api-key-env", paramLabel = "NAME",
            description = "With --agent openai|gemini: the environment variable holding the key to send to "
                    + "--llm-base-url, e.g. VLLM_API_KEY (default: no key for a base URL of your own; OPENAI_API_KEY "
                    + "or GEMINI_API_KEY only for the public APIs). Never sent over plain http except to loopback.")
    String apiKeyEnv;

    @Option(names = "--guard", paramLabel = "MODE",
            description = "With --agent openai|gemini: trust (apply any valid LLM answer), verify (apply it only "
                    + "if predicted within --guard-margin of the solver's best; the default) or advise (record it, "
                    + "apply the solver's). Errors and invalid answers always fall back to the solver.")
    String guard;

    @Option(names = "--guard-margin", paramLabel = "PERCENT",
            description = "With --guard verify: how much worse than the solver's best the LLM's predicted "
                    + "objective may be, in percent (default 5).")
    Double marginPercent;

    @Option(names = "--llm-timeout", paramLabel = "SECONDS",
            description = "With --agent openai|gemini: fall back to the solver if the LLM has not answered "
                    + "(repair rounds included) after this many seconds (default: the provider's own timeouts).")
    Double timeoutSeconds;

    @Option(names = "--llm-prompt", paramLabel = "TEMPLATE",
            description = "With --agent openai|gemini: standard (the research's prompt plus memory budgets, link "
                    + "costs, the objective and predictions for a few candidates; the default) or "
                    + "research-faithful (the research's prompt as it was).")
    String prompt;

    @Option(names = "--llm-repair-rounds", paramLabel = "N",
            description = "With --agent openai|gemini: how often an invalid answer is sent back with its "
                    + "problems before falling back (default 1).")
    Integer repairRounds;

    /** Read by tests; the process environment otherwise. */
    Map<String, String> environment = System.getenv();

    /** Which key the built client sends (a variable's name or {@code "apiKey"}), or null; never the key. */
    private String apiKeyName;

    /** Wraps the provider's client before the agent gets it ({@code evaluate} records the raw answers). */
    UnaryOperator<LlmClient> clients = UnaryOperator.identity();

    /**
     * @param agentName the value of {@code --agent}
     * @return whether it names an LLM provider this class builds
     */
    static boolean isLlm(String agentName) {
        return agentName != null && PROVIDERS.contains(agentName.toLowerCase(Locale.ROOT));
    }

    /**
     * Builds the guarded LLM agent.
     *
     * @param provider         {@code openai} or {@code gemini}
     * @param performanceModel the model that checks the LLM's answers and drives the solver
     * @return the agent
     * @throws InvalidInputException naming the environment variable to set when no API key is found, or the
     *                               option whose value is invalid
     */
    PlacementAgent agent(String provider, PerformanceModel performanceModel) {
        return agent(provider, performanceModel, PlacementHistory.none());
    }

    /**
     * Builds the guarded LLM agent, showing the LLM the placements that ran before.
     *
     * @param provider         {@code openai} or {@code gemini}
     * @param performanceModel the model that checks the LLM's answers and drives the solver
     * @param history          the placements that ran and their measured metrics, for few-shot prompting (a
     *                         {@link dev.placement.core.orchestrator.DecisionJournal}); not null
     * @return the agent
     * @throws InvalidInputException naming the environment variable to set when no API key is found, or the
     *                               option whose value is invalid
     */
    PlacementAgent agent(String provider, PerformanceModel performanceModel, PlacementHistory history) {
        return agent(provider, () -> performanceModel, history);
    }

    /**
     * Builds the guarded LLM agent on a model it reads at every decision, showing the LLM the placements that
     * ran before.
     *
     * @param provider         {@code openai} or {@code gemini}
     * @param performanceModel supplies the model that checks the LLM's answers and drives the solver
     * @param history          the placements that ran and their measured metrics; not null
     * @return the agent
     * @throws InvalidInputException naming the environment variable to set when no API key is found, or the
     *                               option whose value is invalid
     */
    PlacementAgent agent(String provider, Supplier<PerformanceModel> performanceModel, PlacementHistory history) {
        Objects.requireNonNull(history, "history");
        GuardedPlacementAgent.Mode mode;
        try {
            mode = guard == null ? GuardedPlacementAgent.Mode.VERIFY : GuardedPlacementAgent.Mode.parse(guard);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--guard", null, e.getMessage());
        }
        PromptTemplate template = template();
        LlmPlacementAgent.Builder llm = LlmPlacementAgent.builder(clients.apply(client(provider)))
                .promptTemplate(template).performanceModel(performanceModel)
                .candidatePredictions(!"research-faithful".equals(template.name())).history(history);
        if (repairRounds != null) {
            if (repairRounds < 0) {
                throw new InvalidInputException("--llm-repair-rounds", null, "must be 0 or more, was " + repairRounds);
            }
            llm.repairRounds(repairRounds);
        }
        GuardedPlacementAgent.Builder guarded = GuardedPlacementAgent.builder(llm.build()).mode(mode);
        if (marginPercent != null) {
            if (!(marginPercent >= 0) || marginPercent.isInfinite()) {
                throw new InvalidInputException("--guard-margin", null, "must be a percentage >= 0, was "
                        + marginPercent);
            }
            guarded.margin(marginPercent / 100.0);
        }
        if (timeoutSeconds != null) {
            if (!(timeoutSeconds > 0) || timeoutSeconds.isInfinite()) {
                throw new InvalidInputException("--llm-timeout", null, "must be a positive number of seconds, was "
                        + timeoutSeconds);
            }
            guarded.timeout(Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000))));
        }
        return guarded.build();
    }

    /**
     * Rejects LLM options given without an LLM agent, so that a forgotten {@code --agent} is not silent.
     *
     * @param agentName the value of {@code --agent}
     * @throws InvalidInputException naming the first such option
     */
    void requireUnusedUnless(String agentName) {
        if (isLlm(agentName)) {
            return;
        }
        String given = model != null ? "--llm-model" : baseUrl != null ? "--llm-base-url"
                : apiKeyEnv != null ? "--llm-api-key-env" : guard != null ? "--guard"
                : marginPercent != null ? "--guard-margin" : timeoutSeconds != null ? "--llm-timeout"
                : prompt != null ? "--llm-prompt" : repairRounds != null ? "--llm-repair-rounds" : null;
        if (given != null) {
            throw new InvalidInputException(given, null, "applies only with --agent openai or --agent gemini");
        }
    }

    private PromptTemplate template() {
        if (prompt == null || prompt.equalsIgnoreCase("standard")) {
            return PromptTemplate.standard();
        }
        if (prompt.equalsIgnoreCase("research-faithful")) {
            return PromptTemplate.researchFaithful();
        }
        throw new InvalidInputException("--llm-prompt", null, "unknown template '" + prompt
                + "'; valid templates: standard, research-faithful");
    }

    /**
     * @return the name of the key the last built agent's client sends ({@code OPENAI_API_KEY}, the variable
     *         {@code --llm-api-key-env} named), or {@code null} when it sends none or none was built; never the key
     */
    String apiKeyName() {
        return apiKeyName;
    }

    private String apiKeyVariable() {
        if (apiKeyEnv != null && !ApiKey.isVariableName(apiKeyEnv)) {
            throw new InvalidInputException("--llm-api-key-env", null, "'" + apiKeyEnv + "' is not an environment "
                    + "variable name; expected letters, digits and underscores, e.g. VLLM_API_KEY");
        }
        return apiKeyEnv;
    }

    private LlmClient client(String provider) {
        switch (provider.toLowerCase(Locale.ROOT)) {
            case "openai" -> {
                OpenAiLlmClient.Builder b = OpenAiLlmClient.fromEnvironment(environment)
                        .apiKeyVariable(apiKeyVariable());
                if (baseUrl != null) {
                    b.baseUrl(baseUrl);
                }
                if (model != null) {
                    b.model(model);
                }
                try {
                    OpenAiLlmClient client = b.build();
                    apiKeyName = client.apiKeyName();
                    return client;
                } catch (InvalidInputException e) {
                    if ("OPENAI_API_KEY".equals(e.field())) {
                        throw new InvalidInputException("environment", "OPENAI_API_KEY", "no API key for the "
                                + "OpenAI API; set OPENAI_API_KEY, or point --llm-base-url (or OPENAI_BASE_URL) at a "
                                + "local OpenAI-compatible server such as http://127.0.0.1:8000/v1, which needs none");
                    }
                    throw e;
                }
            }
            case "gemini" -> {
                GeminiLlmClient.Builder b = GeminiLlmClient.fromEnvironment(environment)
                        .apiKeyVariable(apiKeyVariable());
                if (baseUrl != null) {
                    b.baseUrl(baseUrl);
                }
                if (model != null) {
                    b.model(model);
                }
                GeminiLlmClient client = b.build();
                apiKeyName = client.apiKeyName();
                return client;
            }
            default -> throw new InvalidInputException("--agent", null, "unknown LLM provider '" + provider
                    + "'; valid providers: " + String.join(", ", PROVIDERS));
        }
    }

    /**
     * The {@code "llm"} object of the JSON output.
     *
     * @param proposal the decision's proposal, or {@code null}
     * @return provider, model, proposal (the placement as {@code node:layers,...}, or null), accepted and
     *         reason; {@code null} when there was no proposal
     */
    static Map<String, Object> json(AgentProposal proposal) {
        if (proposal == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("provider", proposal.agent());
        out.put("model", proposal.model());
        out.put("proposal", proposal.placement() == null ? null : proposal.placement().toSpec());
        out.put("accepted", proposal.accepted());
        out.put("reason", proposal.reason());
        return out;
    }
}
