package dev.placement.llm.http;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How long to wait before a retry: the server's hint when it gave one, clamped to a ceiling, otherwise
 * exponential backoff with jitter. Mirrors the official OpenAI Java SDK ({@code RetryingHttpClient}): hints
 * from {@code Retry-After-Ms} then {@code Retry-After} (seconds or an RFC 1123 date), all clamped to the same
 * ceiling as the backoff (8 s there), and backoff {@code min(initial * 2^(retry-1), ceiling) * [0.75, 1]}.
 */
final class RetryDelays {

    private RetryDelays() {
    }

    /**
     * Reads the retry hint of a response's headers.
     *
     * @return the hint (not clamped; zero if a date lies in the past), or empty if there is none or it is unreadable
     */
    static Optional<Duration> fromHeaders(HttpHeaders headers, Clock clock) {
        Optional<String> millis = headers.firstValue("Retry-After-Ms");
        if (millis.isPresent()) {
            Optional<Duration> parsed = parseAmount(millis.get(), 1_000_000L);
            if (parsed.isPresent()) {
                return parsed;
            }
        }
        return headers.firstValue("Retry-After").flatMap(value -> retryAfter(value, clock));
    }

    /** Parses a {@code Retry-After} value: delay seconds (possibly fractional) or an HTTP date. */
    static Optional<Duration> retryAfter(String value, Clock clock) {
        Optional<Duration> seconds = parseAmount(value, 1_000_000_000L);
        if (seconds.isPresent()) {
            return seconds;
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration until = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> parseAmount(String value, long nanosPerUnit) {
        try {
            double amount = Double.parseDouble(value.trim());
            if (Double.isNaN(amount) || Double.isInfinite(amount) || amount < 0) {
                return Optional.empty();
            }
            // Oversized hints saturate rather than overflow; they are clamped by the caller anyway.
            double nanos = Math.min(amount * nanosPerUnit, (double) Long.MAX_VALUE);
            return Optional.of(Duration.ofNanos((long) nanos));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The wait before retry number {@code retry} (1 for the first retry).
     *
     * @param hint    the server's hint, or {@code null}
     * @param retry   the retry number, from 1
     * @param initial the first backoff, before jitter
     * @param ceiling the longest wait, hint or backoff
     * @param random  a number in [0, 1) for the jitter
     */
    static Duration delay(Duration hint, int retry, Duration initial, Duration ceiling, double random) {
        if (hint != null) {
            return hint.isNegative() ? Duration.ZERO : min(hint, ceiling);
        }
        double factor = Math.pow(2.0, Math.max(0, retry - 1));
        double backoffNanos = Math.min(initial.toNanos() * factor, (double) ceiling.toNanos());
        double jitter = 1.0 - 0.25 * random;
        return Duration.ofNanos((long) (backoffNanos * jitter));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
