package dev.placement.vllm.bench;

import java.util.Locale;

/** The OpenAI-compatible API a benchmark sends its streaming requests to. */
public enum BenchmarkEndpoint {
    /** {@code POST /v1/completions} with a {@code prompt}; vLLM's backend name {@code openai}. */
    COMPLETIONS("/v1/completions", "openai"),
    /** {@code POST /v1/chat/completions} with one user message; vLLM's backend name {@code openai-chat}. */
    CHAT("/v1/chat/completions", "openai-chat");

    private final String path;
    private final String backend;

    BenchmarkEndpoint(String path, String backend) {
        this.path = path;
        this.backend = backend;
    }

    /** @return the path below the server's base URL, for example {@code /v1/completions} */
    public String path() {
        return path;
    }

    /** @return the name {@code vllm bench serve --backend} uses for this API, for the result JSON */
    public String backend() {
        return backend;
    }

    /**
     * Reads an endpoint name as the CLI spells it.
     *
     * @param name {@code completions} or {@code chat} (case-insensitive)
     * @return the endpoint
     * @throws IllegalArgumentException naming the value and the valid names if it is neither
     */
    public static BenchmarkEndpoint parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "completions":
                return COMPLETIONS;
            case "chat":
                return CHAT;
            default:
                throw new IllegalArgumentException("unknown endpoint '" + name + "'; use completions or chat");
        }
    }
}
