package dev.placement.cli;

import dev.placement.api.LlmClient;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the raw text of every answer an LLM gives, per scenario, so that {@code placement evaluate} can show
 * what the model said beside what the guard made of it. {@link #wrap} puts it between the LLM agent and its
 * client. An answer counts for the scenario that was current when its question was asked, so that an answer that
 * arrives after a timeout cannot land in the next scenario. Thread-safe.
 */
final class AnswerRecorder {
    /** The most characters kept of one answer; the providers bound what they read, this bounds what is kept. */
    static final int MAX_ANSWER_CHARS = 16_000;

    private final Map<String, List<String>> answers = new HashMap<>();
    private volatile String current = "";

    /**
     * Makes later questions count for a scenario.
     *
     * @param scenario the scenario's name
     */
    void begin(String scenario) {
        current = Objects.requireNonNull(scenario, "scenario");
    }

    /**
     * @param scenario a scenario's name
     * @return the answers given for it, in the order they came (repair rounds after the first answer)
     */
    synchronized List<String> answers(String scenario) {
        return List.copyOf(answers.getOrDefault(scenario, List.of()));
    }

    private synchronized void record(String scenario, String text) {
        String kept = text.length() <= MAX_ANSWER_CHARS ? text : text.substring(0, MAX_ANSWER_CHARS) + "...";
        answers.computeIfAbsent(scenario, k -> new ArrayList<>()).add(kept);
    }

    /**
     * @param client the client the LLM agent asks
     * @return a client that asks it and records each answer's text
     */
    LlmClient wrap(LlmClient client) {
        Objects.requireNonNull(client, "client");
        return new LlmClient() {
            @Override
            public String provider() {
                return client.provider();
            }

            @Override
            public String model() {
                return client.model();
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                String scenario = current;
                LlmResponse response = client.complete(request);
                record(scenario, response.text());
                return response;
            }

            @Override
            public String toString() {
                return client.toString();
            }
        };
    }
}
