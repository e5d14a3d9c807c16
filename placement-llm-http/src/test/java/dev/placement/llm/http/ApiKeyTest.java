package dev.placement.llm.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyTest {

    @Test
    void aKeySetOnTheBuilderWinsOverANamedVariableAndNeitherShowsItsValue() {
        ApiKey key = ApiKey.named(" sk-builder-1 ", "VLLM_API_KEY", Map.of("VLLM_API_KEY", "sk-env-2"), "u");
        assertThat(key.name()).isEqualTo("apiKey");
        assertThat(key.value()).isEqualTo("sk-builder-1");
        assertThat(key.toString()).isEqualTo("ApiKey[apiKey]");
        assertThat(ApiKey.named(null, "VLLM_API_KEY", Map.of("VLLM_API_KEY", "sk-env-2"), "u").toString())
                .isEqualTo("ApiKey[VLLM_API_KEY]");
        assertThat(ApiKey.named(null, null, Map.of("OPENAI_API_KEY", "sk-env-2"), "u")).isNull();
        assertThatThrownBy(() -> ApiKey.named(null, "VLLM_API_KEY", Map.of(), "http://127.0.0.1:8000/v1"))
                .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("environment: VLLM_API_KEY: is not set");
    }

    @Test
    void onlyLoopbackLiteralsCountAsLoopback() {
        for (String loopback : new String[] {"http://127.0.0.1:8000", "http://127.10.0.3", "http://localhost:1",
                "http://[::1]:8000", "http://LOCALHOST"}) {
            assertThat(LlmHttpTransport.isLoopback(URI.create(loopback))).as(loopback).isTrue();
        }
        for (String remote : new String[] {"http://127.0.0.1.evil.example", "http://10.0.0.1", "http://128.0.0.1",
                "http://localhost.example", "http://127.0.0.256"}) {
            assertThat(LlmHttpTransport.isLoopback(URI.create(remote))).as(remote).isFalse();
        }
    }
}
