package dev.placement.llm.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** The Chat Completions wire format (openai-openapi {@code CreateChatCompletionRequest}/{@code Response}). */
final class ChatCompletions {

    private ChatCompletions() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Request(
            @JsonProperty("model") String model,
            @JsonProperty("messages") List<Message> messages,
            @JsonProperty("response_format") ResponseFormat responseFormat,
            @JsonProperty("reasoning_effort") String reasoningEffort,
            @JsonProperty("max_completion_tokens") Integer maxCompletionTokens) {
    }

    record Message(@JsonProperty("role") String role, @JsonProperty("content") String content) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ResponseFormat(@JsonProperty("type") String type, @JsonProperty("json_schema") JsonSchema jsonSchema) {
    }

    record JsonSchema(@JsonProperty("name") String name, @JsonProperty("schema") JsonNode schema,
                      @JsonProperty("strict") boolean strict) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Response(@JsonProperty("model") String model, @JsonProperty("choices") List<Choice> choices,
                    @JsonProperty("usage") Usage usage) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Choice(@JsonProperty("index") int index, @JsonProperty("message") AssistantMessage message,
                  @JsonProperty("finish_reason") String finishReason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record AssistantMessage(@JsonProperty("role") String role, @JsonProperty("content") String content,
                            @JsonProperty("refusal") String refusal) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Usage(@JsonProperty("prompt_tokens") Integer promptTokens,
                 @JsonProperty("completion_tokens") Integer completionTokens) {
    }
}
