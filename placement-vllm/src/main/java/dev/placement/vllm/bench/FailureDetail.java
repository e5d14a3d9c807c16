package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** One-line explanations of why a request failed, as {@link RequestRecord#failureDetail()} and messages carry them. */
final class FailureDetail {

    private FailureDetail() {
    }

    /** @return the text on one line, whitespace collapsed, cut to 200 characters */
    static String oneLine(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }

    /**
     * vLLM streams errors as {@code {"error": {...}}} (newer) or {@code {"object": "error", ...}} (older).
     *
     * @return the error's message, or {@code null} if the object is not an error
     */
    static String vllmError(JsonNode chunk) {
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            if (error.isObject()) {
                return error.path("message").asText(error.toString());
            }
            return error.asText();
        }
        if ("error".equals(chunk.path("object").asText())) {
            return chunk.path("message").asText(chunk.toString());
        }
        return null;
    }

    /** @return the exception the HTTP client's future failed with, out of its completion wrappers */
    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** @return the exception's simple name and message on one line */
    static String describe(Throwable cause) {
        String message = cause.getMessage();
        String name = cause.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            // The JDK client reports a refused connection as a ConnectException without a message.
            Throwable inner = cause.getCause();
            return inner != null && inner != cause ? name + " (" + describe(inner) + ")" : name;
        }
        return name + ": " + oneLine(message);
    }
}
