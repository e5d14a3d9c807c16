package dev.placement.llm.gemini;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * The {@code generateContent} wire format ({@code generative_service.proto}, JSON names in lowerCamelCase), with
 * the mapping between it and the client's one-turn requests and answers.
 */
final class GenerateContent {

    private GenerateContent() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Request(@JsonProperty("systemInstruction") Content systemInstruction,
                   @JsonProperty("contents") List<Content> contents,
                   @JsonProperty("generationConfig") GenerationConfig generationConfig) {

        /** The instructions as {@code systemInstruction} and the user's text as the one {@code user} turn. */
        static Request of(String instructions, String userText, GenerationConfig generationConfig) {
            return new Request(new Content(null, List.of(new Part(instructions, null))),
                    List.of(new Content("user", List.of(new Part(userText, null)))), generationConfig);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Content(@JsonProperty("role") String role, @JsonProperty("parts") List<Part> parts) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Part(@JsonProperty("text") String text, @JsonProperty("thought") Boolean thought) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GenerationConfig(@JsonProperty("responseMimeType") String responseMimeType,
                            @JsonProperty("responseJsonSchema") JsonNode responseJsonSchema,
                            @JsonProperty("maxOutputTokens") Integer maxOutputTokens,
                            @JsonProperty("thinkingConfig") ThinkingConfig thinkingConfig) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ThinkingConfig(@JsonProperty("thinkingLevel") String thinkingLevel,
                          @JsonProperty("thinkingBudget") Integer thinkingBudget) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Response(@JsonProperty("candidates") List<Candidate> candidates,
                    @JsonProperty("promptFeedback") PromptFeedback promptFeedback,
                    @JsonProperty("usageMetadata") UsageMetadata usageMetadata,
                    @JsonProperty("modelVersion") String modelVersion) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Candidate(@JsonProperty("content") Content content, @JsonProperty("finishReason") String finishReason) {

        /** @return the text of the parts, thoughts left out, or {@code null} if no part has answer text */
        String answerText() {
            StringBuilder text = new StringBuilder();
            boolean anyText = false;
            if (content != null && content.parts() != null) {
                for (Part part : content.parts()) {
                    // Thought summaries come back as parts flagged "thought"; they are not the answer.
                    if (part != null && part.text() != null && !Boolean.TRUE.equals(part.thought())) {
                        text.append(part.text());
                        anyText = true;
                    }
                }
            }
            return anyText ? text.toString() : null;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptFeedback(@JsonProperty("blockReason") String blockReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record UsageMetadata(@JsonProperty("promptTokenCount") Integer promptTokenCount,
                         @JsonProperty("candidatesTokenCount") Integer candidatesTokenCount,
                         @JsonProperty("thoughtsTokenCount") Integer thoughtsTokenCount) {

        /** @return the prompt's tokens; 0 if not reported */
        int promptTokens() {
            return nonNegative(promptTokenCount);
        }

        /** @return the answer's tokens with the thinking tokens, which are billed as output too */
        int completionTokens() {
            return nonNegative(candidatesTokenCount) + nonNegative(thoughtsTokenCount);
        }

        private static int nonNegative(Integer value) {
            return value == null ? 0 : Math.max(0, value);
        }
    }
}
