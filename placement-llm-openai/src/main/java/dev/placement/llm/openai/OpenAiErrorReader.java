package dev.placement.llm.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.llm.http.ErrorBodyReader;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.ProviderError;

/**
 * Reads the error bodies of OpenAI and compatible servers, which differ: OpenAI's
 * {@code {"error":{"message","type","param","code":"string"}}}, newer vLLM's same shape with an integer code,
 * older vLLM's flat {@code {"object":"error","message",...,"code":400}}, and Ollama's
 * {@code {"error":"text"}}. A 429 whose code or type is {@code insufficient_quota} is an exhausted quota.
 */
final class OpenAiErrorReader implements ErrorBodyReader {

    @Override
    public ProviderError read(int httpStatus, JsonNode root) {
        if (!root.isObject()) {
            return ProviderError.EMPTY;
        }
        JsonNode error = root.get("error");
        if (error != null && error.isTextual()) {
            return new ProviderError(error.asText(), null, null, null, null);
        }
        JsonNode fields = error != null && error.isObject() ? error : root;
        String message = text(fields.get("message"));
        String code = text(fields.get("code"));
        String type = text(fields.get("type"));
        LlmFailure failure = "insufficient_quota".equals(code) || "insufficient_quota".equals(type)
                ? LlmFailure.QUOTA_EXHAUSTED : null;
        return new ProviderError(message, code, type, null, failure);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }
}
