package dev.placement.core.llm;

import dev.placement.api.AgentProposal;
import dev.placement.api.LlmClient;
import dev.placement.api.LlmException;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementHistory;
import dev.placement.api.PlacementOutcome;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The research's agent: asks a language model for the layer placement. It renders a prompt from the
 * request (see {@link PromptTemplate}), asks for a JSON answer in the {@link #ANSWER_SCHEMA} format, reads
 * the answer tolerantly (JSON, fenced JSON, or the research's free-text format), and checks it: known nodes,
 * counts summing to the model's layers, contiguous stages, no zero-layer stage listed as used, known links,
 * and memory through the {@link PerformanceModel}. An invalid answer is sent back with its problems for a
 * configurable number of repair rounds; after that the agent fails with an {@link InvalidLlmAnswerException}
 * that lists every problem. The answer's text is only ever read as data.
 *
 * <p>The decision's agent is the client's provider ({@code "openai"}, {@code "gemini"}); its
 * {@link AgentProposal} records the model and the proposal. To never apply an invalid or clearly worse answer,
 * wrap this agent in a {@link GuardedPlacementAgent}.
 *
 * <p>Immutable and thread-safe when its {@link LlmClient} and {@link PlacementHistory} are.
 */
public final class LlmPlacementAgent implements PlacementAgent {

    /** The name of the answer schema sent to the provider. */
    public static final String SCHEMA_NAME = "layer_placement";

    /**
     * The JSON Schema of the answer: a flat object whose every property is required and which allows no other
     * properties, as OpenAI's strict structured outputs require. {@code nodes_used} lists node ids in pipeline
     * order, {@code layers_per_node} the layer count of each, {@code rationale} the reasons.
     */
    public static final String ANSWER_SCHEMA = """
            {"type":"object",\
            "properties":{\
            "nodes_used":{"type":"array","items":{"type":"string"},\
            "description":"ids of the nodes that hold layers, in pipeline order, rank 0 first"},\
            "layers_per_node":{"type":"array","items":{"type":"integer"},\
            "description":"layers held by each node of nodes_used, same order; each at least 1"},\
            "rationale":{"type":"string","description":"why this placement, in a few sentences"}},\
            "required":["nodes_used","layers_per_node","rationale"],\
            "additionalProperties":false}""";

    /** Previous answers are echoed in repair prompts up to this many characters. */
    static final int MAX_ECHOED_ANSWER_CHARS = 2_000;
    private static final int MAX_RATIONALE_CHARS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(LlmPlacementAgent.class);

    private final LlmClient client;
    private final PromptTemplate template;
    private final int repairRounds;
    private final PlacementHistory history;
    private final boolean candidatePredictions;
    private final Supplier<PerformanceModel> performanceModel;
    private final AnswerParser parser = new AnswerParser();

    private LlmPlacementAgent(Builder b) {
        this.client = Objects.requireNonNull(b.client, "client");
        this.template = b.template;
        this.repairRounds = b.repairRounds;
        this.history = b.history;
        this.candidatePredictions = b.candidatePredictions;
        this.performanceModel = b.performanceModel;
    }

    /**
     * Starts a builder.
     *
     * @param client the language model to ask; not null
     * @return a builder with the defaults documented on its methods
     */
    public static Builder builder(LlmClient client) {
        return new Builder(client);
    }

    /** @return the client's provider, for example {@code "openai"} */
    @Override
    public String name() {
        return client.provider();
    }

    /** @return the client's provider, for example {@code "openai"} */
    public String provider() {
        return client.provider();
    }

    /** @return the model the client asks, for example {@code "gpt-5-mini"} */
    public String model() {
        return client.model();
    }

    /** @return the performance model that checks memory and predicts the answer's metrics now */
    public PerformanceModel performanceModel() {
        return performanceModel.get();
    }

    /**
     * Asks the LLM for a placement.
     *
     * @param request the model, cluster, links, objective and workload
     * @return the LLM's valid placement, its rationale, its predicted metrics and the proposal
     * @throws InvalidLlmAnswerException if no answer was valid after the repair rounds; lists every problem
     * @throws LlmException              if the provider failed (see {@link LlmException#retryable()})
     */
    @Override
    public PlacementDecision decide(PlacementRequest request) {
        Objects.requireNonNull(request, "request");
        // One model for the whole decision: the prompt's facts, the candidates and every check of the answers.
        PerformanceModel model = performanceModel.get();
        AnswerValidator validator = new AnswerValidator(model);
        PlacementPrompt prompt = template.render(context(request, model));
        List<String> nodeIds = request.cluster().nodeIds();
        List<List<String>> problems = new ArrayList<>();
        String userText = prompt.userText();
        String answeredBy = client.model();
        for (int attempt = 1; attempt <= repairRounds + 1; attempt++) {
            LlmResponse response = client.complete(
                    new LlmRequest(prompt.systemText(), userText, SCHEMA_NAME, ANSWER_SCHEMA));
            if (response.model() != null && !response.model().isBlank()) {
                answeredBy = response.model();
            }
            ParsedAnswer parsed = parser.parse(response.text(), nodeIds);
            AnswerValidator.Result result = validator.validate(parsed, request);
            if (result.valid()) {
                String reason = attempt == 1 ? "valid answer"
                        : "valid answer after " + (attempt - 1) + (attempt == 2 ? " repair round" : " repair rounds");
                LOG.debug("{} proposed {} ({})", client.provider(), result.placement(), reason);
                return new PlacementDecision(result.placement(), client.provider(), rationale(parsed.rationale()),
                        result.prediction().metrics(),
                        new AgentProposal(client.provider(), answeredBy, result.placement(), true, reason));
            }
            problems.add(result.problems());
            LOG.debug("{} answer {} was invalid: {}", client.provider(), attempt, result.problems());
            userText = repairText(prompt.userText(), response.text(), result.problems());
        }
        throw new InvalidLlmAnswerException(client.provider(), answeredBy, problems);
    }

    /** Gathers what the template may show, under the model this agent decides with now. */
    PromptContext context(PlacementRequest request) {
        return context(request, performanceModel.get());
    }

    /** Gathers what the template may show: budgets, history, candidate predictions. */
    private PromptContext context(PlacementRequest request, PerformanceModel model) {
        List<PlacementOutcome> past;
        try {
            past = history.outcomes();
        } catch (RuntimeException e) {
            LOG.warn("the placement history could not be read; asking without it: {}", e.toString());
            past = List.of();
        }
        PerformanceModel.Parameters p = model.parameters();
        List<PromptContext.CandidatePrediction> candidates = List.of();
        if (candidatePredictions) {
            try {
                candidates = new CandidateSet(model).predict(request);
            } catch (RuntimeException e) {
                // Candidates are hints; a failure to compute them must not keep the LLM from being asked.
                LOG.debug("no candidate predictions for the prompt: {}", e.toString());
            }
        }
        return new PromptContext(request, PromptFacts.budgets(request, p), PromptFacts.crossings(request, p),
                past == null ? List.of() : past, candidates);
    }

    /** The original question, the rejected answer quoted as data, and what was wrong with it. */
    static String repairText(String question, String answer, List<String> problems) {
        String echoed = answer == null ? "" : answer.length() > MAX_ECHOED_ANSWER_CHARS
                ? answer.substring(0, MAX_ECHOED_ANSWER_CHARS) + " [...]" : answer;
        StringBuilder b = new StringBuilder(question.length() + echoed.length() + 512).append(question);
        b.append("\n## Your previous answer was rejected\n");
        b.append("Your previous answer, quoted as data:\n<<<\n").append(echoed.replace(">>>", "> > >"))
                .append("\n>>>\n");
        b.append("It cannot be used because:\n");
        problems.forEach(p -> b.append("- ").append(p).append('\n'));
        b.append("Answer again with one corrected JSON object in the output format above.\n");
        return b.toString();
    }

    private static String rationale(String text) {
        if (text == null || text.isBlank()) {
            return "the LLM gave no rationale";
        }
        String clean = text.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > MAX_RATIONALE_CHARS ? clean.substring(0, MAX_RATIONALE_CHARS) + "..." : clean;
    }

    @Override
    public String toString() {
        return "LlmPlacementAgent[" + client.provider() + ", model=" + client.model() + ", template="
                + template.name() + ", repairRounds=" + repairRounds + "]";
    }

    /** Configures an {@link LlmPlacementAgent}; not thread-safe. */
    public static final class Builder {
        private final LlmClient client;
        private PromptTemplate template = PromptTemplate.standard();
        private int repairRounds = 1;
        private PlacementHistory history = PlacementHistory.none();
        private boolean candidatePredictions = true;
        private Supplier<PerformanceModel> performanceModel = PerformanceModel::defaults;

        private Builder(LlmClient client) {
            this.client = Objects.requireNonNull(client, "client must not be null");
        }

        /**
         * @param template the prompt template; default {@link PromptTemplate#standard()}
         * @return this builder
         */
        public Builder promptTemplate(PromptTemplate template) {
            this.template = Objects.requireNonNull(template, "template must not be null");
            return this;
        }

        /**
         * @param rounds how many times an invalid answer is sent back with its problems; default 1; &ge; 0
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder repairRounds(int rounds) {
            if (rounds < 0) {
                throw new IllegalArgumentException("repairRounds must be >= 0, was " + rounds);
            }
            this.repairRounds = rounds;
            return this;
        }

        /**
         * @param history the placements that ran, for few-shot prompting; default none
         * @return this builder
         */
        public Builder history(PlacementHistory history) {
            this.history = Objects.requireNonNull(history, "history must not be null");
            return this;
        }

        /**
         * @param enabled whether the prompt shows the performance model's predictions for a few candidates
         *                (the solver's best, vLLM's even split, the best two-node split); default true
         * @return this builder
         */
        public Builder candidatePredictions(boolean enabled) {
            this.candidatePredictions = enabled;
            return this;
        }

        /**
         * @param model the performance model that checks memory and predicts metrics; default
         *              {@link PerformanceModel#defaults()}
         * @return this builder
         */
        public Builder performanceModel(PerformanceModel model) {
            Objects.requireNonNull(model, "performanceModel must not be null");
            this.performanceModel = () -> model;
            return this;
        }

        /**
         * @param model supplies the performance model, read once per decision (a
         *              {@link dev.placement.core.CalibratedModel} that keeps learning, for example); not null,
         *              and never supplies null
         * @return this builder
         */
        public Builder performanceModel(Supplier<PerformanceModel> model) {
            this.performanceModel = Objects.requireNonNull(model, "performanceModel must not be null");
            return this;
        }

        /** @return the agent */
        public LlmPlacementAgent build() {
            return new LlmPlacementAgent(this);
        }
    }
}
