package dev.placement.llm.http;

import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RetryDelaysTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> map = new java.util.HashMap<>();
        values.forEach((k, v) -> map.put(k, List.of(v)));
        return HttpHeaders.of(map, (k, v) -> true);
    }

    @Test
    void retryAfterMsWinsOverRetryAfterAndMayBeFractional() {
        assertThat(RetryDelays.fromHeaders(headers(Map.of("Retry-After-Ms", "1500.5", "Retry-After", "9")), CLOCK))
                .contains(Duration.ofNanos(1_500_500_000L));
    }

    @Test
    void unreadableRetryAfterMsFallsBackToRetryAfter() {
        assertThat(RetryDelays.fromHeaders(headers(Map.of("Retry-After-Ms", "soon", "Retry-After", "2")), CLOCK))
                .contains(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterHttpDateCountsFromTheClockAndNeverGoesNegative() {
        assertThat(RetryDelays.retryAfter("Fri, 27 Nov 2026 12:00:07 GMT", CLOCK)).contains(Duration.ofSeconds(7));
        assertThat(RetryDelays.retryAfter("Fri, 27 Nov 2026 11:59:00 GMT", CLOCK)).contains(Duration.ZERO);
        assertThat(RetryDelays.retryAfter("tomorrow", CLOCK)).isEmpty();
        assertThat(RetryDelays.retryAfter("-3", CLOCK)).isEmpty();
        assertThat(RetryDelays.fromHeaders(headers(Map.of()), CLOCK)).isEmpty();
    }

    @Test
    void serverHintIsClampedToTheCeiling() {
        Duration ceiling = Duration.ofSeconds(8);
        assertThat(RetryDelays.delay(Duration.ofSeconds(3), 1, Duration.ofMillis(500), ceiling, 0.9))
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(RetryDelays.delay(Duration.ofSeconds(39), 1, Duration.ofMillis(500), ceiling, 0.9))
                .isEqualTo(ceiling);
        assertThat(RetryDelays.delay(Duration.ofSeconds(-1), 1, Duration.ofMillis(500), ceiling, 0.9))
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void backoffDoublesPerRetryUpToTheCeilingWithUpToAQuarterJitter() {
        Duration initial = Duration.ofMillis(500);
        Duration ceiling = Duration.ofSeconds(8);
        assertThat(RetryDelays.delay(null, 1, initial, ceiling, 0.0)).isEqualTo(Duration.ofMillis(500));
        assertThat(RetryDelays.delay(null, 2, initial, ceiling, 0.0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(RetryDelays.delay(null, 3, initial, ceiling, 0.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(RetryDelays.delay(null, 10, initial, ceiling, 0.0)).isEqualTo(ceiling);
        assertThat(RetryDelays.delay(null, 2, initial, ceiling, 0.999)).isBetween(Duration.ofMillis(750),
                Duration.ofMillis(751));
    }
}
