package dev.placement.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.llm.http.CircuitState;
import dev.placement.llm.http.CircuitTransition;
import dev.placement.llm.http.LlmCallContext;
import dev.placement.llm.http.LlmCallError;
import dev.placement.llm.http.LlmCallListener;
import dev.placement.llm.http.LlmCallResponse;
import dev.placement.llm.http.LlmFailure;
import dev.placement.llm.http.LlmRetry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link PlacementLlmMetrics#listener}: a few calls' events, as the transport tells them, read back as meters. */
class LlmMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LlmCallListener listener = PlacementLlmMetrics.listener(registry, Tags.of("app", "planner"));

    private static LlmCallContext attempt(long call, int n) {
        return new LlmCallContext("openai", "gpt-5-mini", "api.openai.com", call, n, 3);
    }

    @Test
    void callsAttemptsRetriesTokensAndTheCircuitBreakerAreMeasuredPerProviderAndModel() {
        // Call 1: a 429 retried, then an answer.
        listener.onRequest(attempt(1, 1));
        listener.onRetry(new LlmRetry(attempt(1, 1), LlmFailure.RATE_LIMITED, 429, Duration.ofMillis(120),
                Duration.ofMillis(30)));
        listener.onRequest(attempt(1, 2));
        listener.onResponse(new LlmCallResponse(attempt(1, 2), 200, Duration.ofMillis(900), Duration.ofMillis(700),
                "gpt-5-mini-2025-08-07", 1117, 46));
        // Call 2: a bad request.
        listener.onRequest(attempt(2, 1));
        listener.onError(new LlmCallError(attempt(2, 1), LlmFailure.INVALID_REQUEST, 400, false,
                Duration.ofMillis(50), "openai: invalid request (HTTP 400): bad"));
        // The breaker opens, refuses call 3 and closes again.
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        listener.onCircuitStateChange(new CircuitTransition("openai", "gpt-5-mini", CircuitState.CLOSED,
                CircuitState.OPEN, t));
        listener.onError(new LlmCallError(attempt(3, 1), LlmFailure.CIRCUIT_OPEN, 0, false, Duration.ZERO,
                "openai: circuit breaker open: too many recent failures"));
        assertThat(circuit("open")).isEqualTo(1);
        assertThat(circuit("closed")).isZero();
        listener.onCircuitStateChange(new CircuitTransition("openai", "gpt-5-mini", CircuitState.OPEN,
                CircuitState.HALF_OPEN, t.plusSeconds(31)));
        listener.onCircuitStateChange(new CircuitTransition("openai", "gpt-5-mini", CircuitState.HALF_OPEN,
                CircuitState.CLOSED, t.plusSeconds(32)));

        Timer success = calls("success", "none");
        assertThat(success.count()).isEqualTo(1);
        assertThat(success.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(900);
        assertThat(calls("failure", "invalid_request").count()).isEqualTo(1);
        assertThat(calls("failure", "circuit_open").count()).isEqualTo(1);
        assertThat(counter(PlacementMeters.LLM_ATTEMPTS)).isEqualTo(3);
        assertThat(counter(PlacementMeters.LLM_RETRIES, "failure", "rate_limited")).isEqualTo(1);
        assertThat(counter(PlacementMeters.LLM_TOKENS, "type", "prompt")).isEqualTo(1117);
        assertThat(counter(PlacementMeters.LLM_TOKENS, "type", "completion")).isEqualTo(46);
        assertThat(counter(PlacementMeters.LLM_CIRCUIT_REJECTIONS)).isEqualTo(1);
        assertThat(counter(PlacementMeters.LLM_CIRCUIT_TRANSITIONS, "from", "closed", "to", "open")).isEqualTo(1);
        assertThat(counter(PlacementMeters.LLM_CIRCUIT_TRANSITIONS, "from", "half_open", "to", "closed"))
                .isEqualTo(1);
        assertThat(circuit("closed")).isEqualTo(1);
        assertThat(circuit("open")).isZero();
        assertThat(registry.getMeters()).allSatisfy(m -> {
            assertThat(m.getId().getTag("app")).isEqualTo("planner");
            assertThat(m.getId().getTag("provider")).isEqualTo("openai");
            assertThat(m.getId().getTag("model")).isEqualTo("gpt-5-mini");
        });
    }

    @Test
    void aFailureThatIsNotAProviderFailureIsTaggedUnexpected() {
        listener.onError(new LlmCallError(attempt(1, 1), null, 200, false, Duration.ofMillis(5),
                "NullPointerException"));

        assertThat(calls("failure", "unexpected").count()).isEqualTo(1);
    }

    private Timer calls(String outcome, String failure) {
        return registry.get(PlacementMeters.LLM_CALLS).tags("provider", "openai", "model", "gpt-5-mini", "outcome",
                outcome, "failure", failure).timer();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private double circuit(String state) {
        return registry.get(PlacementMeters.LLM_CIRCUIT_STATE).tags("provider", "openai", "state", state).gauge()
                .value();
    }
}
