package dev.placement.llm.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CircuitBreakerSettingsTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(CircuitBreakerSettings.defaults())
                .isEqualTo(new CircuitBreakerSettings(10, 5, 50, Duration.ofSeconds(30)));
    }

    @Test
    void eachFieldOutOfRangeIsRefusedNamingItAndTheValue() {
        Duration open = Duration.ofSeconds(30);
        assertThatThrownBy(() -> new CircuitBreakerSettings(0, 1, 50, open))
                .hasMessageContaining("windowCalls").hasMessageContaining("0");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 0, 50, open)).hasMessageContaining("minimumCalls");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 11, 50, open))
                .hasMessageContaining("minimumCalls").hasMessageContaining("11");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 5, 0, open))
                .hasMessageContaining("failureRateThreshold");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 5, 100.5, open))
                .hasMessageContaining("failureRateThreshold");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 5, Double.NaN, open))
                .hasMessageContaining("failureRateThreshold");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 5, 50, Duration.ZERO))
                .hasMessageContaining("openDuration");
        assertThatThrownBy(() -> new CircuitBreakerSettings(10, 5, 50, null)).isInstanceOf(NullPointerException.class);
        assertThat(new CircuitBreakerSettings(1, 1, 100, Duration.ofMillis(1)).windowCalls()).isEqualTo(1);
    }

    @Test
    void aTransportStartsClosedWithAnySettings() {
        LlmHttpTransport transport = LlmHttpTransport.builder().provider("test")
                .circuitBreaker(new CircuitBreakerSettings(2, 2, 50, Duration.ofSeconds(5))).build();

        assertThat(transport.circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(LlmHttpTransport.builder().provider("test").build().circuitState()).isEqualTo(CircuitState.CLOSED);
    }
}
