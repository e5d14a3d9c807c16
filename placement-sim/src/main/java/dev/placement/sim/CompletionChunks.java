package dev.placement.sim;

/**
 * The text of one response's server-sent events in vLLM's shapes: output chunks of {@code /v1/completions}
 * ({@code text_completion}) or {@code /v1/chat/completions} ({@code chat.completion.chunk}), the usage chunk
 * with {@code choices: []}, the error event and {@code data: [DONE]}. Immutable.
 */
final class CompletionChunks {
    static final String DONE = "data: [DONE]\n\n";
    static final String ERROR_EVENT = "data: {\"error\":{\"message\":\"injected failure: error event\","
            + "\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}\n\n";

    private final boolean chat;
    private final String id;
    private final String modelName;

    CompletionChunks(boolean chat, int arrival, String modelName) {
        this.chat = chat;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + arrival;
        this.modelName = modelName;
    }

    /** @return whether these are chat chunks, whose first output chunk is vLLM's role-only delta */
    boolean chat() {
        return chat;
    }

    /** Appends vLLM's role-only chat delta, which it sends together with the first token. */
    void role(StringBuilder out) {
        event(out, chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
    }

    /** Appends the output chunk of token {@code k}, marked {@code finish_reason: length} if it is the last. */
    void token(StringBuilder out, int k, boolean last) {
        String text = " tok" + k;
        String finish = last ? "length" : null;
        event(out, chat ? chunk("{\"content\":\"" + text + "\"}", finish) : chunk(text, finish));
    }

    /** Appends the usage chunk that {@code stream_options.include_usage} asks for. */
    void usage(StringBuilder out, int promptTokens, int outputTokens) {
        event(out, "{\"id\":\"" + id + "\",\"object\":\"" + object() + "\",\"created\":0,"
                + "\"model\":\"" + modelName + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":"
                + promptTokens + ",\"total_tokens\":" + (promptTokens + outputTokens)
                + ",\"completion_tokens\":" + outputTokens + "}}");
    }

    private String chunk(String payload, String finishReason) {
        String finish = finishReason == null ? "null" : "\"" + finishReason + "\"";
        String choice = chat
                ? "{\"index\":0,\"delta\":" + payload + ",\"logprobs\":null,\"finish_reason\":" + finish + "}"
                : "{\"index\":0,\"text\":\"" + payload + "\",\"logprobs\":null,\"finish_reason\":" + finish
                        + ",\"stop_reason\":null}";
        return "{\"id\":\"" + id + "\",\"object\":\"" + object() + "\",\"created\":0,\"model\":\"" + modelName
                + "\",\"choices\":[" + choice + "],\"usage\":null}";
    }

    private String object() {
        return chat ? "chat.completion.chunk" : "text_completion";
    }

    private static void event(StringBuilder out, String data) {
        out.append("data: ").append(data).append("\n\n");
    }

    /** @return how many whitespace-separated words a prompt has: the loopback server's prompt token count */
    static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }
}
