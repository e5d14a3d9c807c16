package dev.placement.llm.gemini;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The {@code generateContent} wire format ({@code generative_service.proto}, JSON names in lowerCamelCase). */
final class GenerateContent {

    private GenerateContent() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Request(@JsonProperty("systemInstruction") Content systemInstruction,
                   @JsonProperty("contents") List<Content> contents,
                   @JsonProperty("generationConfig") GenerationConfig generationConfig) {
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
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptFeedback(@JsonProperty("blockReason") String blockReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record UsageMetadata(@JsonProperty("promptTokenCount") Integer promptTokenCount,
                         @JsonProperty("candidatesTokenCount") Integer candidatesTokenCount,
                         @JsonProperty("thoughtsTokenCount") Integer thoughtsTokenCount) {
    }
}
