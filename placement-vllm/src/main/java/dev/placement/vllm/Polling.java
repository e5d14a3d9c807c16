package dev.placement.vllm;

import dev.placement.api.LaunchException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/** Polls until an attempt yields a value or a deadline on the injected clock passes. Immutable. */
final class Polling {
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration interval;

    Polling(Clock clock, Sleeper sleeper, Duration interval) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.interval = requirePositive(interval, "pollInterval");
    }

    Clock clock() {
        return clock;
    }

    /**
     * Calls {@code attempt} until it returns a value or {@code timeout} has passed (it is called at least once).
     *
     * @return the value, or empty at the deadline
     * @throws LaunchException if the thread is interrupted while waiting
     */
    <T> Optional<T> until(Duration timeout, Supplier<Optional<T>> attempt) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            Optional<T> value = attempt.get();
            if (value.isPresent()) {
                return value;
            }
            if (!clock.instant().isBefore(deadline)) {
                return Optional.empty();
            }
            try {
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while waiting", e);
            }
        }
    }

    static Duration requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, () -> name + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    static Duration requireNonNegative(Duration d, String name) {
        Objects.requireNonNull(d, () -> name + " must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        return d;
    }
}
