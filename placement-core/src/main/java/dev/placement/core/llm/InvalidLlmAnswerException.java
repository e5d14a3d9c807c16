package dev.placement.core.llm;

import dev.placement.api.PlacementException;
import java.util.List;

/**
 * An LLM gave no valid placement, even after the repair rounds: the message lists every problem of every
 * answer (unknown node, wrong sum, over memory, unknown link, ...), so that a person can see why. The answers'
 * own text is not part of the message; {@link #problems()} holds the problems per attempt.
 */
public class InvalidLlmAnswerException extends PlacementException {
    private static final long serialVersionUID = 1L;

    /** The LLM provider, for example {@code "openai"}. */
    private final String provider;
    /** The model that answered, or {@code null} if unknown. */
    private final String model;
    /** The problems of each answer, first attempt first; immutable. */
    private final List<List<String>> problems;

    /**
     * @param provider the LLM provider, for example {@code "openai"}
     * @param model    the model that answered, or {@code null}
     * @param problems the problems of each answer, first attempt first; each list non-empty
     */
    public InvalidLlmAnswerException(String provider, String model, List<List<String>> problems) {
        super(message(provider, model, problems));
        this.provider = provider;
        this.model = model;
        this.problems = problems.stream().map(List::copyOf).toList();
    }

    private static String message(String provider, String model, List<List<String>> problems) {
        StringBuilder b = new StringBuilder("the ").append(provider).append(" model ")
                .append(model == null ? "" : "'" + model + "' ").append("gave no valid placement in ")
                .append(problems.size()).append(problems.size() == 1 ? " answer" : " answers");
        for (int i = 0; i < problems.size(); i++) {
            b.append(problems.size() == 1 ? ": " : "; answer " + (i + 1) + ": ")
                    .append(String.join("; ", problems.get(i)));
        }
        return b.toString();
    }

    /** @return the LLM provider, for example {@code "openai"} */
    public String provider() {
        return provider;
    }

    /** @return the model that answered, or {@code null} if unknown */
    public String model() {
        return model;
    }

    /** @return the problems of each answer, first attempt first; immutable */
    public List<List<String>> problems() {
        return problems;
    }

    /** @return how many answers were received */
    public int attempts() {
        return problems.size();
    }
}
