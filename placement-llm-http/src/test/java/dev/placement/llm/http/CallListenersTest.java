package dev.placement.llm.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallListenersTest {
    private static final LlmCallContext CONTEXT = new LlmCallContext("openai", "gpt-5-mini", "127.0.0.1", 1, 1, 3);

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() {
        List<String> heard = new ArrayList<>();
        LlmCallListener throwing = new LlmCallListener() {
            @Override
            public void onRequest(LlmCallContext context) {
                throw new IllegalStateException("bug");
            }

            @Override
            public void onCircuitStateChange(CircuitTransition transition) {
                throw new IllegalStateException("bug");
            }
        };
        LlmCallListener recording = new LlmCallListener() {
            @Override
            public void onRequest(LlmCallContext context) {
                heard.add("request " + context.attempt());
            }

            @Override
            public void onCircuitStateChange(CircuitTransition transition) {
                heard.add("circuit " + transition.to());
            }
        };
        CallListeners listeners = new CallListeners(List.of(throwing, recording));

        listeners.request(CONTEXT);
        listeners.circuit(new CircuitTransition("openai", "gpt-5-mini", CircuitState.CLOSED, CircuitState.OPEN,
                Instant.EPOCH));
        listeners.response(new LlmCallResponse(CONTEXT, 200, Duration.ZERO, Duration.ZERO, null, 0, 0));

        assertThat(heard).containsExactly("request 1", "circuit OPEN");
    }

    @Test
    void eventsAreValidatedOnConstruction() {
        assertThatThrownBy(() -> new LlmCallContext("openai", " ", "h", 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LlmCallContext("openai", "m", "h", 1, 4, 3))
                .hasMessageContaining("attempt must be 1 to 3");
        assertThatThrownBy(() -> new LlmCallResponse(CONTEXT, 200, Duration.ofMillis(-1), Duration.ZERO, null, 0, 0))
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> new LlmCallResponse(CONTEXT, 200, Duration.ZERO, Duration.ZERO, null, -1, 0))
                .hasMessageContaining("token");
        assertThatThrownBy(() -> new LlmRetry(CONTEXT, LlmFailure.RATE_LIMITED, 429, Duration.ofSeconds(-1),
                Duration.ZERO)).hasMessageContaining("delay");
        assertThat(new LlmCallError(CONTEXT, LlmFailure.CIRCUIT_OPEN, 0, false, Duration.ZERO, "open")
                .rejectedByCircuitBreaker()).isTrue();
        assertThat(new LlmCallContext("openai", "m", "h", 1, 2, 3).retry()).isTrue();
    }
}
