package dev.placement.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.LlmHttpTransport;
import java.util.List;
import java.util.Locale;

/**
 * One Chat Completions exchange in {@link ChatCompletions}' wire format: the request body for an
 * {@link LlmRequest} (the answer schema as a strict {@code response_format}, a JSON-object format or in the
 * instructions, as configured) and the answer read back, with refusals, truncation and content filtering turned
 * into typed failures. Immutable and thread-safe.
 *
 * @param transport           the provider transport (JSON codec and failures)
 * @param model               the model asked
 * @param structuredOutput    how the schema is requested
 * @param instructionRole     the role of the instructions message
 * @param reasoningEffort     {@code reasoning_effort}, or null
 * @param maxCompletionTokens {@code max_completion_tokens}, or null
 */
record ChatDialogue(LlmHttpTransport transport, String model, OpenAiLlmClient.StructuredOutput structuredOutput,
        OpenAiLlmClient.InstructionRole instructionRole, String reasoningEffort, Integer maxCompletionTokens) {

    /** The request body for {@code request}. */
    String requestBody(LlmRequest request) {
        String instructions = request.systemText();
        ChatCompletions.ResponseFormat format = null;
        JsonNode schema = transport.answerSchema(request);
        if (schema != null) {
            if (structuredOutput == OpenAiLlmClient.StructuredOutput.STRICT_SCHEMA) {
                format = new ChatCompletions.ResponseFormat("json_schema",
                        new ChatCompletions.JsonSchema(request.schemaName(), schema, true));
            } else {
                // Without a schema-constrained response_format the model only knows the shape if told.
                instructions = instructions + "\n\nAnswer with one JSON object, and nothing else, that follows "
                        + "this JSON Schema:\n" + schema;
                if (structuredOutput == OpenAiLlmClient.StructuredOutput.JSON_OBJECT) {
                    format = new ChatCompletions.ResponseFormat("json_object", null);
                }
            }
        }
        ChatCompletions.Request wire = new ChatCompletions.Request(model, List.of(
                new ChatCompletions.Message(instructionRole.wireName, instructions),
                new ChatCompletions.Message("user", request.userText())),
                format, reasoningEffort, maxCompletionTokens);
        return transport.toJson(wire);
    }

    /** Reads an answer body into a response, or throws the typed failure it describes. */
    LlmResponse parse(String body) {
        ChatCompletions.Response response = transport.readAnswer(body, ChatCompletions.Response.class,
                "Chat Completions");
        if (response.choices() == null || response.choices().isEmpty()) {
            throw transport.malformed("the answer has no choices", body);
        }
        ChatCompletions.Choice choice = response.choices().get(0);
        ChatCompletions.AssistantMessage message = choice.message();
        if (message != null && message.refusal() != null && !message.refusal().isBlank()) {
            throw transport.failure(LlmFailure.REFUSED, "the model refused: " + message.refusal().strip());
        }
        String finish = choice.finishReason() == null ? "" : choice.finishReason().toLowerCase(Locale.ROOT);
        if (finish.equals("length")) {
            throw transport.failure(LlmFailure.TRUNCATED, "the answer hit the token limit (finish_reason length"
                    + (maxCompletionTokens == null ? "" : ", max_completion_tokens " + maxCompletionTokens)
                    + "); raise maxCompletionTokens, which also counts reasoning tokens");
        }
        if (finish.equals("content_filter")) {
            throw transport.failure(LlmFailure.BLOCKED, "the answer was withheld by the content filter "
                    + "(finish_reason content_filter)");
        }
        if (message == null || message.content() == null) {
            throw transport.malformed("the first choice has no message content (finish_reason "
                    + choice.finishReason() + ")", body);
        }
        ChatCompletions.Usage usage = response.usage();
        int promptTokens = usage == null || usage.promptTokens() == null ? 0 : Math.max(0, usage.promptTokens());
        int completionTokens = usage == null || usage.completionTokens() == null ? 0
                : Math.max(0, usage.completionTokens());
        return new LlmResponse(message.content(), response.model() != null ? response.model() : model,
                promptTokens, completionTokens);
    }

    /** @return the settings without the transport, whose state is none of a reader's business */
    @Override
    public String toString() {
        return "ChatDialogue[model=" + model + ", structuredOutput=" + structuredOutput + ", instructionRole="
                + instructionRole + ", reasoningEffort=" + reasoningEffort + ", maxCompletionTokens="
                + maxCompletionTokens + "]";
    }
}
